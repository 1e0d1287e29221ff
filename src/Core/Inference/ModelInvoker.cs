using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Usage;
using ModelsHub.Contracts.Usage;
using ModelsHub.Contracts.Models;

namespace ModelsHub.Core.Inference;

/// <summary>A finished chat call: the response and what was recorded for it.</summary>
public sealed record ChatCall(ChatResponse Response, UsageRecord Usage);

/// <summary>A finished embeddings call.</summary>
public sealed record EmbeddingsCall(GeneratedEmbeddings<Embedding<float>> Embeddings, UsageRecord Usage);

/// <summary>
/// Calls models for test calls and the gateway, one path for both: resolves the model the caller
/// may see to a target (<see cref="IInferenceTargetResolver"/>), refuses an inactive one, calls it
/// through <see cref="IAiProviders"/>' Microsoft.Extensions.AI clients, and records every call
/// (success or failure, latency, time to first token, tokens) with <see cref="UsageRecorder"/>.
/// </summary>
public sealed class ModelInvoker(ModelCatalog catalog, IEnumerable<IInferenceTargetResolver> resolvers, IAiProviders providers,
    UsageRecorder recorder, TimeProvider clock)
{
    private readonly IInferenceTargetResolver[] _resolvers = resolvers.ToArray();

    internal TimeProvider Clock => clock;

    internal UsageRecorder Recorder => recorder;

    public async Task<ChatCall> ChatAsync(Caller caller, string modelName, IList<ChatMessage> messages, ChatOptions options,
        UsageOperation operation, CancellationToken cancellationToken)
    {
        var call = await PrepareAsync(caller, modelName, operation, streamed: false, cancellationToken);
        try
        {
            var response = await providers.ChatClient(call.Target.Target).GetResponseAsync(messages, options, cancellationToken);
            var usage = call.Succeeded(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
            return new ChatCall(response, usage);
        }
        catch (ModelCallException ex)
        {
            call.Failed(ex);
            throw;
        }
    }

    /// <summary>
    /// Starts a streamed chat call and waits for its first update, so that a call failing before
    /// any output is an ordinary error (the caller has sent nothing yet). The stream records the
    /// call when it ends, fails, or is abandoned.
    /// </summary>
    public async Task<ChatStream> StreamAsync(Caller caller, string modelName, IList<ChatMessage> messages, ChatOptions options,
        UsageOperation operation, CancellationToken cancellationToken)
    {
        var call = await PrepareAsync(caller, modelName, operation, streamed: true, cancellationToken);
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            updates = providers.ChatClient(call.Target.Target).GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var any = await updates.MoveNextAsync();
            call.FirstToken();
            return new ChatStream(call, updates, any);
        }
        catch (ModelCallException ex)
        {
            call.Failed(ex);
            if (updates is not null) await updates.DisposeAsync();
            throw;
        }
    }

    public async Task<EmbeddingsCall> EmbedAsync(Caller caller, string modelName, IReadOnlyList<string> inputs, EmbeddingGenerationOptions options,
        UsageOperation operation, CancellationToken cancellationToken)
    {
        var call = await PrepareAsync(caller, modelName, operation, streamed: false, cancellationToken);
        try
        {
            var embeddings = await providers.EmbeddingGenerator(call.Target.Target).GenerateAsync(inputs, options, cancellationToken);
            return new EmbeddingsCall(embeddings, call.Succeeded(embeddings.Usage?.InputTokenCount ?? 0, 0));
        }
        catch (ModelCallException ex)
        {
            call.Failed(ex);
            throw;
        }
    }

    /// <summary>
    /// The models the caller may call (the gateway's model list): those they see, active, that a
    /// resolver serves, by name.
    /// </summary>
    public async Task<IReadOnlyList<ModelSummary>> ListCallableAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in, or send a personal access token, to list the models you may call.");
        }
        var callable = new Dictionary<string, ModelSummary>(StringComparer.OrdinalIgnoreCase);
        foreach (var resolver in _resolvers)
        {
            foreach (var candidates in resolver.Candidates)
            {
                var query = candidates;
                while (true)
                {
                    var page = await catalog.ListAsync(caller, query, cancellationToken);
                    foreach (var model in page.Items)
                    {
                        if (model.Status == ModelStatus.Active && resolver.Serves(model))
                        {
                            callable.TryAdd(model.Name, model);
                        }
                    }
                    if (page.ContinuationToken is not { } next) break;
                    query = query with { ContinuationToken = next };
                }
            }
            foreach (var name in await resolver.ServedModelsAsync(cancellationToken))
            {
                if (!callable.ContainsKey(name) && await catalog.FindAsync(caller, name, cancellationToken) is { Status: ModelStatus.Active } model)
                {
                    callable.TryAdd(model.Name, model.ToSummary());
                }
            }
        }
        return callable.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>One model the caller may call (404 when hidden or nothing serves it, 409 when inactive), as a listing shows it.</summary>
    public async Task<ModelSummary> GetCallableAsync(Caller caller, string modelName, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in, or send a personal access token, to look up a model.");
        }
        var model = await catalog.GetForCallAsync(caller, modelName, cancellationToken);
        var summary = model.ToSummary();
        if (!_resolvers.Any(r => r.Serves(summary)) && !await ServedOutsideTheCatalogAsync(model.Name, cancellationToken))
        {
            throw new NotFoundException("Model", modelName);
        }
        if (model.Status != ModelStatus.Active)
        {
            throw new ModelCallException(UsageErrorClass.Inactive, Inactive(model.Name));
        }
        return summary;
    }

    private async Task<bool> ServedOutsideTheCatalogAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var resolver in _resolvers)
        {
            if ((await resolver.ServedModelsAsync(cancellationToken)).Contains(name)) return true;
        }
        return false;
    }

    /// <summary>The model's target, or a recorded refusal (inactive, nothing to call).</summary>
    private async Task<PendingCall> PrepareAsync(Caller caller, string modelName, UsageOperation operation, bool streamed, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in, or send a personal access token, to call a model.");
        }
        var started = clock.GetTimestamp();
        var model = await ModelForAsync(caller, modelName, cancellationToken);
        ResolvedTarget? target = null;
        try
        {
            foreach (var resolver in _resolvers)
            {
                target = await resolver.ResolveAsync(model, modelName, cancellationToken);
                if (target is not null) break;
            }
        }
        catch (ModelCallException ex)
        {
            new PendingCall(this, caller, new UsageSubject(model.Name, model.DefaultVersion, null), null!, operation, streamed, started).Failed(ex);
            throw;
        }
        var subject = target?.Subject ?? new UsageSubject(model.Name, model.DefaultVersion, null);
        var pending = new PendingCall(this, caller, subject, target!, operation, streamed, started);
        if (model.Status != ModelStatus.Active)
        {
            var inactive = new ModelCallException(UsageErrorClass.Inactive, Inactive(model.Name));
            pending.Failed(inactive);
            throw inactive;
        }
        if (target is null)
        {
            var none = new ModelCallException(UsageErrorClass.BadRequest,
                $"Model '{model.Name}' has nothing to call: give it a provider (PUT /api/models/{model.Name}/provider) or deploy it.");
            pending.Failed(none);
            throw none;
        }
        return pending;
    }

    private static string Inactive(string model) => $"Model '{model}' is inactive; start it (POST /api/models/{model}/toggle-status) to call it.";

    /// <summary>
    /// The model the name means: a model's own name first; else the model a resolver says the name stands for (a
    /// deployment's id), under the same rules (a caller who may not see that model gets the same 404 as for no model).
    /// </summary>
    private async Task<HubModel> ModelForAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await catalog.GetForCallAsync(caller, name, cancellationToken);
        }
        catch (NotFoundException)
        {
            foreach (var resolver in _resolvers)
            {
                if (await resolver.ModelOfAsync(name, cancellationToken) is { } owner)
                {
                    try
                    {
                        return await catalog.GetForCallAsync(caller, owner, cancellationToken);
                    }
                    catch (NotFoundException)
                    {
                        break;
                    }
                }
            }
            throw;
        }
    }

    /// <summary>One call on its way: times it and records its outcome exactly once.</summary>
    internal sealed class PendingCall(ModelInvoker owner, Caller caller, UsageSubject subject, ResolvedTarget target, UsageOperation operation, bool streamed, long started)
    {
        private int _recorded;
        private double? _ttft;

        public ResolvedTarget Target => target;

        public UsageSubject Subject => subject;

        public void FirstToken() => _ttft ??= Elapsed();

        public UsageRecord Succeeded(long tokensIn, long tokensOut) => Record(null, null, tokensIn, tokensOut);

        public UsageRecord Failed(ModelCallException failure, long tokensIn = 0, long tokensOut = 0) =>
            Record(failure.ErrorClass, failure.Message, tokensIn, tokensOut);

        private double Elapsed() => owner.Clock.GetElapsedTime(started).TotalMilliseconds;

        private UsageRecord Record(UsageErrorClass? error, string? message, long tokensIn, long tokensOut)
        {
            var record = new UsageRecord
            {
                Id = Guid.CreateVersion7().ToString("N"),
                At = owner.Clock.GetUtcNow(),
                Model = subject.Model,
                Version = subject.Version,
                Deployment = subject.Deployment,
                User = caller.UserId,
                TokenId = caller.AccessTokenId,
                Operation = operation,
                Streamed = streamed,
                ErrorClass = error,
                Error = message is { Length: > 300 } ? message[..300] : message,
                LatencyMs = Math.Round(Elapsed(), 3),
                TimeToFirstTokenMs = streamed && _ttft is { } t ? Math.Round(t, 3) : null,
                TokensIn = tokensIn,
                TokensOut = tokensOut,
            };
            if (Interlocked.Exchange(ref _recorded, 1) == 0)
            {
                owner.Recorder.Record(record);
            }
            return record;
        }
    }
}

/// <summary>
/// A streamed chat call whose first update has arrived. Enumerate <see cref="ReadAllAsync"/> once;
/// updates pass through as they arrive. A failure mid-stream is recorded and rethrown as
/// <see cref="ModelCallException"/>; a caller that stops early records what it got.
/// </summary>
public sealed class ChatStream : IAsyncDisposable
{
    private readonly ModelInvoker.PendingCall _call;
    private readonly IAsyncEnumerator<ChatResponseUpdate> _updates;
    private bool _hasCurrent;
    private long _tokensIn;
    private long _tokensOut;

    internal ChatStream(ModelInvoker.PendingCall call, IAsyncEnumerator<ChatResponseUpdate> updates, bool hasFirst)
    {
        _call = call;
        _updates = updates;
        _hasCurrent = hasFirst;
    }

    public UsageRecord? Usage { get; private set; }

    /// <summary>The model's name as registered (what responses name).</summary>
    public string Model => _call.Subject.Model;

    public async IAsyncEnumerable<ChatResponseUpdate> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (_hasCurrent)
        {
            var update = _updates.Current;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent usage)
                {
                    _tokensIn = Math.Max(_tokensIn, usage.Details.InputTokenCount ?? 0);
                    _tokensOut = Math.Max(_tokensOut, usage.Details.OutputTokenCount ?? 0);
                }
            }
            yield return update;
            try
            {
                _hasCurrent = await _updates.MoveNextAsync();
            }
            catch (ModelCallException ex)
            {
                _hasCurrent = false;
                Usage = _call.Failed(ex, _tokensIn, _tokensOut);
                throw;
            }
        }
        Usage = _call.Succeeded(_tokensIn, _tokensOut);
    }

    public async ValueTask DisposeAsync()
    {
        // A caller that went away mid-stream: the provider did not fail, so it counts as a success with the tokens seen.
        Usage ??= _call.Succeeded(_tokensIn, _tokensOut);
        await _updates.DisposeAsync();
    }
}
