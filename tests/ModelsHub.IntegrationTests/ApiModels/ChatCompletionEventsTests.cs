using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Contracts.Gateway;
using ModelsHub.Functions.Gateway;

namespace ModelsHub.IntegrationTests.ApiModels;

/// <summary>The gateway's event stream, written straight into the response, against what the framework's SSE formatter writes.</summary>
public sealed class ChatCompletionEventsTests
{
    private static readonly ChatCompletionEvent[] Events =
    [
        Chunk(new OpenAiDelta("assistant", ""), null, null),
        Chunk(new OpenAiDelta(null, "Quotes \" and \\ backslashes, <tags> & ünïcödé 日本語 😀, a\nnew line"), null, null),
        Chunk(new OpenAiDelta(null, null), "length", null),
        new(new ChatCompletionChunk("chatcmpl-1", "chat.completion.chunk", 1_700_000_000, "gpt-4o", [], new OpenAiUsage(12, 34, 46)), null),
        new(null, new OpenAiErrorEvent(new OpenAiError("The provider failed: \"boom\"", "server_error", null, "provider_error"))),
        ChatCompletionEvent.Done,
    ];

    [Fact]
    public async Task EveryEventIsTheSameBytesAndHeadersTheFrameworksServerSentEventsWrite()
    {
        var ours = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        await new ChatCompletionEvents(AsAsync(Events)).ExecuteAsync(ours);
        await ours.Response.BodyWriter.FlushAsync();

        var theirs = new DefaultHttpContext
        {
            Response = { Body = new MemoryStream() },
            RequestServices = new ServiceCollection().AddOptions().BuildServiceProvider(),
        };
        await TypedResults.ServerSentEvents(AsAsync(Events.Select(AsText))).ExecuteAsync(theirs);

        Assert.Equal(Encoding.UTF8.GetString(((MemoryStream)theirs.Response.Body).ToArray()), Encoding.UTF8.GetString(((MemoryStream)ours.Response.Body).ToArray()));
        foreach (var header in new[] { "Content-Type", "Cache-Control", "Pragma", "Content-Encoding" })
        {
            Assert.Equal(theirs.Response.Headers[header], ours.Response.Headers[header]);
        }
    }

    private static ChatCompletionEvent Chunk(OpenAiDelta delta, string? finish, OpenAiUsage? usage) =>
        new(new ChatCompletionChunk("chatcmpl-1", "chat.completion.chunk", 1_700_000_000, "gpt-4o", [new OpenAiChunkChoice(0, delta, null, finish)], usage), null);

    // What the gateway sent before: each event serialized to a string and handed to the SSE formatter.
    private static SseItem<string> AsText(ChatCompletionEvent e) => new(
        e.Chunk is { } chunk ? JsonSerializer.Serialize(chunk, OpenAiResponses.Json)
        : e.Error is { } error ? JsonSerializer.Serialize(error, OpenAiResponses.Json)
        : "[DONE]");

    private static async IAsyncEnumerable<T> AsAsync<T>(IEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }
}
