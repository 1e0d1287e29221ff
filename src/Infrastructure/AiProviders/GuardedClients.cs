using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using ModelsHub.Core.ApiModels;

namespace ModelsHub.Infrastructure.AiProviders;

/// <summary>
/// The SDK's chat client with the hub's timeout (per call; per update for streams) and every
/// failure translated to <see cref="ModelCallException"/>.
/// </summary>
internal sealed class GuardedChatClient(IChatClient inner, InferenceTarget target, TimeSpan timeout) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var observed = ProviderResponses.Scope();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await base.GetResponseAsync(messages, options, deadline.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ProviderFailures.Translate(ex, target, observed, deadline.IsCancellationRequested);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var observed = ProviderResponses.Scope();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var updates = base.GetStreamingResponseAsync(messages, options, deadline.Token).GetAsyncEnumerator(deadline.Token);
        while (true)
        {
            // The timeout covers each wait for the next update, so a long answer that keeps coming is not cut.
            deadline.CancelAfter(timeout);
            bool more;
            try
            {
                more = await updates.MoveNextAsync();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw ProviderFailures.Translate(ex, target, observed, deadline.IsCancellationRequested);
            }
            if (!more)
            {
                yield break;
            }
            yield return updates.Current;
        }
    }
}

/// <summary>The SDK's embedding generator with the hub's timeout and failures translated.</summary>
internal sealed class GuardedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, InferenceTarget target, TimeSpan timeout)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var observed = ProviderResponses.Scope();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await base.GenerateAsync(values, options, deadline.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ProviderFailures.Translate(ex, target, observed, deadline.IsCancellationRequested);
        }
    }
}
