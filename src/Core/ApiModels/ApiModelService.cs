using Microsoft.Extensions.Logging;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Usage;
using ModelsHub.Contracts.Usage;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.ApiModels;
using ModelsHub.Contracts;

namespace ModelsHub.Core.ApiModels;

/// <summary>A provider block as sent: absent fields keep what is stored.</summary>
public sealed record ProviderInput
{
    public Optional<string?> Endpoint { get; init; }
    public Optional<string> ModelId { get; init; }
    public Optional<string?> ApiKey { get; init; }
    public Optional<string?> Version { get; init; }
}

/// <summary>
/// API models (seed 004: OpenAI, Anthropic and any OpenAI-compatible server): their provider block,
/// verified with a call that costs nothing before anything is stored, and start/stop.
/// Setting a provider needs <c>sources.manage</c> and the right to change the model.
/// </summary>
public sealed partial class ApiModelService(IModelStore store, ModelCatalog catalog, IAiProviders providers, ApiKeyVault keys,
    ModelChangeNotifier notifier, TimeProvider clock, ILogger<ApiModelService> logger)
{
    public const int MaxKeyLength = 512;
    public const int MaxModelIdLength = 256;
    public const int MaxEndpointLength = 2048;
    public const int MaxVersionLength = 64;

    /// <summary>Registers a model with its provider in one write: the provider is verified first, so a refused key stores nothing.</summary>
    public async Task<ModelWrite> CreateAsync(Caller caller, ModelInput input, ProviderInput provider, CancellationToken cancellationToken)
    {
        RequireSourcesManage(caller, "register an API model");
        var source = input.Source.HasValue ? input.Source.Value : (ModelSource?)null;
        if (source is not { } s || ProviderKinds.For(s) is not { } kind)
        {
            throw new ValidationException("source", "An API model's source is openai, anthropic or openai-compatible.");
        }
        var verified = await BuildVerifiedAsync(kind, provider, null, cancellationToken);
        return await catalog.CreateAsync(caller, input with { Provider = verified }, cancellationToken);
    }

    /// <summary>Sets (or changes) the model's provider; with a key, or when the endpoint or model id changes, it is verified first.</summary>
    public async Task<HubModel> SetProviderAsync(Caller caller, string modelName, ProviderInput input, CancellationToken cancellationToken)
    {
        var model = await GetForProviderChangeAsync(caller, modelName, cancellationToken);
        var kind = ProviderKinds.For(model.Source)
            ?? throw new ConflictException($"Model '{model.Name}' has source '{EnumNames<ModelSource>.NameOf(model.Source)}'; only openai, anthropic and openai-compatible models have a provider (change its source first).", "source");
        var provider = await BuildVerifiedAsync(kind, input, model.Provider, cancellationToken);
        var saved = await MutateAsync(model.Name, m => m.Provider = provider, cancellationToken);
        LogProviderSet(logger, saved.Name, kind, provider.Endpoint, provider.ModelId, caller.UserId);
        return saved;
    }

    /// <summary>Checks the stored provider again and records the outcome. A refused key is recorded and answered 400.</summary>
    public async Task<HubModel> VerifyAsync(Caller caller, string modelName, CancellationToken cancellationToken)
    {
        var model = await GetForProviderChangeAsync(caller, modelName, cancellationToken);
        var provider = model.Provider ?? throw new NotFoundException("Provider of model", model.Name);
        var kind = ProviderKinds.For(model.Source) ?? throw new ConflictException($"Model '{model.Name}' is not an API model.", "source");
        var key = provider.ProtectedKey is null ? null : keys.Reveal(provider.ProtectedKey)
            ?? throw new ValidationException("apiKey", "The stored key can no longer be decrypted (the hub's key ring changed); set it again.");
        try
        {
            var info = await providers.VerifyAsync(new InferenceTarget(kind, new Uri(provider.Endpoint), provider.ModelId, key), cancellationToken);
            return await MutateAsync(model.Name, m => m.Provider = m.Provider! with { Verification = new(clock.GetUtcNow(), true, null, info.DisplayName ?? info.Id) }, cancellationToken);
        }
        catch (ModelCallException ex) when (Refusal(ex, provider.ModelId) is { } refusal)
        {
            await MutateAsync(model.Name, m => m.Provider = m.Provider! with { Verification = new(clock.GetUtcNow(), false, refusal.Message, null) }, cancellationToken);
            throw refusal.Exception;
        }
    }

    /// <summary>Active ⇄ inactive (seed 004's start/stop), through the catalog's rules (a public model's owner may need a review).</summary>
    public async Task<ModelWrite> ToggleStatusAsync(Caller caller, string modelName, CancellationToken cancellationToken)
    {
        var model = await catalog.GetForChangeAsync(caller, modelName, cancellationToken);
        var next = model.Status == ModelStatus.Active ? ModelStatus.Inactive : ModelStatus.Active;
        return await catalog.UpdateAsync(caller, model.Name, new ModelInput { Status = next }, model.ETag, cancellationToken);
    }

    /// <summary>The model, when the caller may change its provider (404 when hidden, 401/403 otherwise).</summary>
    public async Task<HubModel> GetForProviderChangeAsync(Caller caller, string modelName, CancellationToken cancellationToken)
    {
        var model = await catalog.GetAsync(caller, modelName, cancellationToken);
        ModelAccess.Demand(caller, ModelAccess.Missing(caller, model, ModelAction.Update), "change this model's provider");
        RequireSourcesManage(caller, "change a model's provider");
        return model;
    }

    private static void RequireSourcesManage(Caller caller, string what) =>
        ModelAccess.Demand(caller, caller.Has(Permissions.ManageExternalSources) ? null : Permissions.ManageExternalSources, what);

    /// <summary>
    /// The provider block to store: the input over what is stored, validated, and verified with the
    /// provider when its key, endpoint or model id is new. A stored key goes only to the endpoint it
    /// was given for: a new endpoint needs the key again, so it cannot be redirected elsewhere.
    /// </summary>
    private async Task<ModelProvider> BuildVerifiedAsync(ProviderKind kind, ProviderInput input, ModelProvider? current, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var endpointText = input.Endpoint.HasValue ? input.Endpoint.Value : current?.Endpoint;
        endpointText = string.IsNullOrWhiteSpace(endpointText) ? ProviderKinds.DefaultEndpoint(kind) : ProviderKinds.NormalizeEndpoint(kind, endpointText);
        Uri? endpoint = null;
        if (endpointText is null)
        {
            errors.Add("endpoint", "Is required for an openai-compatible model: the server's base URL, such as http://xinference:9997/v1.");
        }
        else if (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")
                 || !string.IsNullOrEmpty(endpoint.Query) || !string.IsNullOrEmpty(endpoint.Fragment) || !string.IsNullOrEmpty(endpoint.UserInfo)
                 || endpointText.Length > MaxEndpointLength)
        {
            errors.Add("endpoint", $"Must be an absolute http(s) URL of at most {MaxEndpointLength} characters, without query, fragment or credentials.");
        }
        var modelId = (input.ModelId.HasValue ? input.ModelId.Value : current?.ModelId)?.Trim();
        if (string.IsNullOrEmpty(modelId) || modelId.Length > MaxModelIdLength || modelId.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            errors.Add("modelId", $"Is required: the provider's model id (such as gpt-4o or claude-sonnet-4-5), 1 to {MaxModelIdLength} characters without spaces.");
        }
        var version = input.Version.HasValue ? input.Version.Value?.Trim() : current?.Version;
        if (version is { Length: 0 })
        {
            version = null;
        }
        if (version is not null && (version.Length > MaxVersionLength || version.Any(char.IsControl)))
        {
            errors.Add("version", $"At most {MaxVersionLength} printable characters.");
        }
        var newKey = input.ApiKey.HasValue ? input.ApiKey.Value?.Trim() : null;
        if (newKey is { Length: 0 })
        {
            newKey = null;
        }
        if (newKey is not null && (newKey.Length > MaxKeyLength || newKey.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            errors.Add("apiKey", $"Must be 1 to {MaxKeyLength} characters without spaces.");
        }
        var endpointChanged = current is null || !string.Equals(current.Endpoint, endpoint?.ToString().TrimEnd('/') ?? endpointText, StringComparison.Ordinal);
        var clearsKey = input.ApiKey is { HasValue: true, Value: null };
        if (newKey is null && !clearsKey && current?.ProtectedKey is not null && endpointChanged)
        {
            errors.Add("apiKey", "Send the key again when changing the endpoint: a stored key is only sent where it was first given.");
        }
        var keepsKey = newKey is null && !clearsKey && !endpointChanged ? current?.ProtectedKey : null;
        if (newKey is null && keepsKey is null && kind != ProviderKind.OpenaiCompatible && !errors.ToDictionary().ContainsKey("apiKey"))
        {
            errors.Add("apiKey", $"Is required for {EnumNames<ProviderKind>.NameOf(kind)} models (it is kept encrypted and never shown again).");
        }
        errors.ThrowIfAny();

        var storedEndpoint = endpoint!.ToString().TrimEnd('/');
        var key = newKey ?? (keepsKey is null ? null : keys.Reveal(keepsKey)
            ?? throw new ValidationException("apiKey", "The stored key can no longer be decrypted (the hub's key ring changed); send it again."));
        var unchanged = current is not null && newKey is null && !clearsKey && !endpointChanged
            && string.Equals(current.ModelId, modelId, StringComparison.Ordinal);
        ProviderVerification verification;
        if (unchanged && current!.Verification is { } previous)
        {
            verification = previous;
        }
        else
        {
            try
            {
                var info = await providers.VerifyAsync(new InferenceTarget(kind, new Uri(storedEndpoint), modelId!, key), cancellationToken);
                verification = new ProviderVerification(clock.GetUtcNow(), true, null, info.DisplayName ?? info.Id);
            }
            catch (ModelCallException ex) when (Refusal(ex, modelId!) is { } refusal)
            {
                throw refusal.Exception;
            }
        }
        return new ModelProvider
        {
            Endpoint = storedEndpoint,
            ModelId = modelId!,
            Version = version,
            ProtectedKey = newKey is not null ? keys.Protect(newKey) : keepsKey,
            KeyLastFour = newKey is not null ? ApiKeyVault.LastFour(newKey) : keepsKey is null ? null : current!.KeyLastFour,
            KeySetAt = newKey is not null ? clock.GetUtcNow() : keepsKey is null ? null : current!.KeySetAt,
            Verification = verification,
        };
    }

    /// <summary>A verification the provider refused (bad key, unknown model) as a 400 naming the field; other failures stay as they are (429, 502, 504).</summary>
    private static (string Message, ValidationException Exception)? Refusal(ModelCallException ex, string modelId)
    {
        if (ex.ErrorClass == UsageErrorClass.Auth)
        {
            var message = $"The provider refused the key ({ex.ProviderStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no status"}): {ex.Message}";
            return (message, new ValidationException("apiKey", message));
        }
        if (ex.ErrorClass == UsageErrorClass.BadRequest)
        {
            var message = ex.ProviderStatus == 404
                ? $"The provider does not know model '{modelId}' (404): check the model id."
                : $"The provider refused the check ({ex.ProviderStatus}): {ex.Message}";
            return (message, new ValidationException("modelId", message));
        }
        return null;
    }

    private async Task<HubModel> MutateAsync(string name, Action<HubModel> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.FindAsync(name, cancellationToken) ?? throw new NotFoundException("Model", name);
            var next = current.Clone();
            change(next);
            next.UpdatedAt = clock.GetUtcNow();
            try
            {
                var saved = await store.ReplaceAsync(next, current.ETag!, cancellationToken);
                await notifier.NotifyAsync(new ModelChange(saved.Name, current, saved), cancellationToken);
                return saved;
            }
            catch (PreconditionFailedException) when (attempt < 5)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name}: provider {Kind} at {Endpoint} ({ModelId}) set by {User}")]
    private static partial void LogProviderSet(ILogger logger, string name, ProviderKind kind, string endpoint, string modelId, string? user);
}
