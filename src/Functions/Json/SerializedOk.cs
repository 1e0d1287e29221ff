using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace ModelsHub.Functions.Json;

/// <summary>
/// A 200 with a JSON body serialized once per source object. The embedded read cache hands out the same page
/// object to every request in its second, so a busy list serializes each page once instead of once per request;
/// a write (or the next second) makes a new object, and its bytes with it. Nothing here decides freshness.
/// </summary>
public sealed class SerializedOk<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>
{
    private readonly byte[] _utf8;

    private SerializedOk(T value, byte[] utf8) => (Value, _utf8) = (value, utf8);

    public T Value { get; }
    object? IValueHttpResult.Value => Value;
    public int? StatusCode => StatusCodes.Status200OK;

    /// <summary>The response for <paramref name="source"/>, mapped and serialized the first time it is asked for.</summary>
    public static SerializedOk<T> For<TSource>(ConditionalWeakTable<TSource, SerializedOk<T>> memo, TSource source, Func<TSource, T> map, JsonSerializerOptions options)
        where TSource : class =>
        memo.GetValue(source, s =>
        {
            var value = map(s);
            return new SerializedOk<T>(value, JsonSerializer.SerializeToUtf8Bytes(value, options));
        });

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = _utf8.Length;
        return response.Body.WriteAsync(_utf8, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
