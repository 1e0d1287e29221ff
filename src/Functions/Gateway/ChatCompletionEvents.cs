using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using ModelsHub.Contracts.Gateway;

namespace ModelsHub.Functions.Gateway;

/// <summary>One event of a streamed chat completion: a chunk, an error that ends the stream, or OpenAI's closing <c>[DONE]</c>.</summary>
public readonly record struct ChatCompletionEvent(ChatCompletionChunk? Chunk, OpenAiErrorEvent? Error)
{
    public static ChatCompletionEvent Done => default;
}

/// <summary>
/// A streamed chat completion as OpenAI sends it: <c>data: {json}</c> server-sent events, each written as it comes.
/// The same wire format and headers as <c>TypedResults.ServerSentEvents</c>, without its detour through a string
/// per event: each event is serialized straight into the response's buffers (UTF-8, the gateway's JSON options)
/// and flushed, so a long answer costs no per-chunk text.
/// </summary>
public sealed class ChatCompletionEvents(IAsyncEnumerable<ChatCompletionEvent> events) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = OpenAiResponses.Json.Encoder, SkipValidation = true };

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.ContentEncoding = "identity";
        httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        var body = response.BodyWriter;
        var cancellationToken = httpContext.RequestAborted;
        await using var json = new Utf8JsonWriter(body, WriterOptions);
        await foreach (var item in events.WithCancellation(cancellationToken))
        {
            body.Write("data: "u8);
            if (item.Chunk is { } chunk)
            {
                JsonSerializer.Serialize(json, chunk, OpenAiResponses.Json);
            }
            else if (item.Error is { } error)
            {
                JsonSerializer.Serialize(json, error, OpenAiResponses.Json);
            }
            else
            {
                body.Write("[DONE]"u8);
            }
            json.Flush();
            json.Reset();
            body.Write("\n\n"u8);
            var flushed = await body.FlushAsync(cancellationToken);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                break;
            }
        }
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(ChatCompletionChunk), ["text/event-stream"]));
}
