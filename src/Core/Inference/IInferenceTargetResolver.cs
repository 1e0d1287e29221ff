using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Usage;
using ModelsHub.Contracts.Models;
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
    /// <summary>
    /// The target for the model, or null when this resolver does not serve it. <paramref name="requested"/> is the
    /// name the caller used: the model's own, or one this resolver answered <see cref="ModelOfAsync"/> for (a deployment's id).
    /// </summary>
    ValueTask<ResolvedTarget?> ResolveAsync(HubModel model, string requested, CancellationToken cancellationToken);

    /// <summary>
    /// The model a name stands for when no model has that name but this resolver serves it (a deployment's id names
    /// its model), or null. The caller must still be allowed to see that model.
    /// </summary>
    ValueTask<string?> ModelOfAsync(string name, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

    /// <summary>
    /// Where in the catalog the models this resolver serves are found: the gateway's model list
    /// (<c>GET /api/v1/models</c>) asks the catalog each of these filters (as the caller, paged to the end)
    /// and keeps what <see cref="Serves"/> accepts. Filters need not be exact, only wide enough.
    /// </summary>
    IReadOnlyList<ModelQuery> Candidates { get; }

    /// <summary>Whether <see cref="ResolveAsync"/> would answer for this model, judged from what a listing shows of it (no key is decrypted).</summary>
    bool Serves(ModelSummary model);

    /// <summary>
    /// The names of the models this resolver serves whatever the catalog shows of them (a model with a running
    /// deployment: that is in the deployment store, not in a listing), for the gateway's model list beside
    /// <see cref="Candidates"/>; the caller must still see each, and it must be active.
    /// </summary>
    ValueTask<IReadOnlySet<string>> ServedModelsAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlySet<string>>(NoModels);

    private static readonly IReadOnlySet<string> NoModels = new HashSet<string>();
}

/// <summary>An API model's provider block: its endpoint, model id and decrypted key.</summary>
public sealed class ApiModelTargetResolver(ApiKeyVault keys) : IInferenceTargetResolver
{
    public IReadOnlyList<ModelQuery> Candidates { get; } = Enum.GetValues<ModelSource>().Where(s => s.IsApiSource())
        .Select(s => new ModelQuery { Source = s, Status = ModelStatus.Active, PageSize = Common.Paging.MaxPageSize }).ToList();

    public bool Serves(ModelSummary model) => model.ProviderModelId is not null && model.ProviderEndpoint is not null && model.Source.IsApiSource();

    public ValueTask<ResolvedTarget?> ResolveAsync(HubModel model, string requested, CancellationToken cancellationToken)
    {
        // A name other than the model's is another resolver's (a deployment): the provider block does not serve it.
        if (!string.Equals(requested, model.Name, StringComparison.OrdinalIgnoreCase) || model.Provider is not { } provider || ProviderKinds.For(model.Source) is not { } kind)
        {
            return ValueTask.FromResult<ResolvedTarget?>(null);
        }
        var version = provider.Version ?? model.DefaultVersion;
        // The catalog's cache hands out the same provider block until the model changes: a gateway call then
        // skips the key's decryption, the endpoint's parsing and the client key's hash.
        if (_resolved.TryGetValue(provider, out var known) && known.Target.Kind == kind && known.Subject.Model == model.Name && known.Subject.Version == version)
        {
            return ValueTask.FromResult<ResolvedTarget?>(known);
        }
        var key = provider.ProtectedKey is null ? null : keys.Reveal(provider.ProtectedKey)
            ?? throw new ModelCallException(UsageErrorClass.Auth,
                $"The key of model '{model.Name}' can no longer be decrypted (the hub's key ring changed); set it again with PUT /api/models/{model.Name}/provider.");
        var target = new ResolvedTarget(new InferenceTarget(kind, new Uri(provider.Endpoint), provider.ModelId, key), new UsageSubject(model.Name, version, null));
        _resolved.AddOrUpdate(provider, target);
        return ValueTask.FromResult<ResolvedTarget?>(target);
    }

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModelProvider, ResolvedTarget> _resolved = new();
}
