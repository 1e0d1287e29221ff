using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using ModelsHub.Functions.Problems;

namespace ModelsHub.Functions.Json;

/// <summary>
/// A 200 with a JSON body serialized once per source object. The embedded read cache hands out the same page
/// object to every request in its second, so a busy list serializes each page once instead of once per request;
/// a write (or the next second) makes a new object, and its bytes with it. Nothing here decides freshness.
/// Made <see cref="WithETagFor{TSource}"/>, the answer also carries a strong ETag of its bytes and answers
/// 304 without a body to a request whose <c>If-None-Match</c> names it.
/// </summary>
public sealed class SerializedOk<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>
{
    private readonly byte[] _utf8;

    private SerializedOk(T value, byte[] utf8, string? etag) => (Value, _utf8, ETag) = (value, utf8, etag);

    public T Value { get; }
    object? IValueHttpResult.Value => Value;
    public int? StatusCode => StatusCodes.Status200OK;

    /// <summary>The unquoted ETag (a hash of the bytes), when made with one.</summary>
    public string? ETag { get; }

    /// <summary>The response for <paramref name="source"/>, mapped and serialized the first time it is asked for.</summary>
    public static SerializedOk<T> For<TSource>(ConditionalWeakTable<TSource, SerializedOk<T>> memo, TSource source, Func<TSource, T> map, JsonSerializerOptions options)
        where TSource : class =>
        memo.GetValue(source, s =>
        {
            var value = map(s);
            return new SerializedOk<T>(value, JsonSerializer.SerializeToUtf8Bytes(value, options), null);
        });

    /// <summary>As <see cref="For{TSource}"/>, with an ETag of the bytes (hashed once, with them).</summary>
    public static SerializedOk<T> WithETagFor<TSource>(ConditionalWeakTable<TSource, SerializedOk<T>> memo, TSource source, Func<TSource, T> map,
        JsonSerializerOptions options) where TSource : class =>
        memo.GetValue(source, s =>
        {
            var value = map(s);
            var utf8 = JsonSerializer.SerializeToUtf8Bytes(value, options);
            return new SerializedOk<T>(value, utf8, Convert.ToHexStringLower(SHA256.HashData(utf8).AsSpan(0, 16)));
        });

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        if (ETag is { } etag)
        {
            Preconditions.SetETag(response, etag);
            if (Preconditions.MatchesIfNoneMatch(httpContext.Request, etag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = _utf8.Length;
        return response.Body.WriteAsync(_utf8, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
