using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Usage;
using ModelsHub.Contracts.Usage;

namespace ModelsHub.Core.Inference;

/// <summary>A model resolved to what the hub calls, and what usage is recorded against.</summary>
public sealed record ResolvedTarget(InferenceTarget Target, UsageSubject Subject);

/// <summary>
/// Finds what to call for a model. Resolvers are asked in registration order and the first answer
/// wins: an API model's provider block is one; a running deployment (an OpenAI-compatible endpoint
/// on an inference server, with its own <see cref="UsageSubject.Deployment"/>) plugs in as another,
/// and test calls, the gateway and usage then serve it unchanged.
/// </summary>
public interface IInferenceTargetResolver
{
    /// <summary>The target for the model, or null when this resolver does not serve it.</summary>
    ValueTask<ResolvedTarget?> ResolveAsync(HubModel model, CancellationToken cancellationToken);
}

/// <summary>An API model's provider block: its endpoint, model id and decrypted key.</summary>
public sealed class ApiModelTargetResolver(ApiKeyVault keys) : IInferenceTargetResolver
{
    public ValueTask<ResolvedTarget?> ResolveAsync(HubModel model, CancellationToken cancellationToken)
    {
        if (model.Provider is not { } provider || ProviderKinds.For(model.Source) is not { } kind)
        {
            return ValueTask.FromResult<ResolvedTarget?>(null);
        }
        var key = provider.ProtectedKey is null ? null : keys.Reveal(provider.ProtectedKey)
            ?? throw new ModelCallException(UsageErrorClass.Auth,
                $"The key of model '{model.Name}' can no longer be decrypted (the hub's key ring changed); set it again with PUT /api/models/{model.Name}/provider.");
        var target = new InferenceTarget(kind, new Uri(provider.Endpoint), provider.ModelId, key);
        return ValueTask.FromResult<ResolvedTarget?>(new ResolvedTarget(target, new UsageSubject(model.Name, provider.Version ?? model.DefaultVersion, null)));
    }
}
