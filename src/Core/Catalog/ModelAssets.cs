using ModelsHub.Contracts.Versions;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Events;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;

namespace ModelsHub.Core.Catalog;

/// <summary>A model as the version machinery sees it.</summary>
public sealed record ModelAsset(HubModel Model)
    : VersionedAsset(AssetRef.Model(Model.Name), Model.Owner, new DefaultVersion(Model.DefaultVersion, Model.DefaultVersionPinned), Model.ETag, ModelAssets.Files);

/// <summary>
/// Models' side of the version machinery: whoever may see a model reads its versions, whoever may
/// update it changes them; a verified file makes the version ready; the model document keeps the
/// default version (and every change to it reaches the model's listeners).
/// </summary>
public sealed class ModelAssets(ModelCatalog models, IModelStore store, ModelChangeNotifier notifier) : IVersionedAssets
{
    /// <summary>A model version holds any number of files of <see cref="UploadRules.AcceptedExtensions"/>, each replaceable.</summary>
    public static VersionFilePolicy Files { get; } = new(UploadRules.AcceptedExtensions, SingleFile: false);

    public AssetKind Kind => AssetKind.Model;

    public VersionStatus StatusOnceVerified => VersionStatus.Ready;

    public HubEvent? StatusEvent(string? owner, AssetVersion version, VersionFile? file, DateTimeOffset now) => version.Status switch
    {
        VersionStatus.Ready => EventPayloads.Version(WebhookEventTypes.VersionReady, owner, version, file, now),
        VersionStatus.Failed => EventPayloads.Version(WebhookEventTypes.VersionFailed, owner, version, file, now),
        _ => null,
    };

    public async Task<VersionedAsset> GetAsync(Caller caller, string name, CancellationToken cancellationToken) =>
        new ModelAsset(await models.GetAsync(caller, name, cancellationToken));

    public async Task<VersionedAsset> GetForChangeAsync(Caller caller, string name, string what, CancellationToken cancellationToken)
    {
        var model = await models.GetAsync(caller, name, cancellationToken);
        ModelAccess.Demand(caller, ModelAccess.Missing(caller, model, ModelAction.Update), what);
        return new ModelAsset(model);
    }

    public async Task<VersionedAsset?> FindAsync(string name, CancellationToken cancellationToken) =>
        await store.FindAsync(name, cancellationToken) is { } model ? new ModelAsset(model) : null;

    public async Task<VersionedAsset> SaveVersionSummaryAsync(VersionedAsset asset, DefaultVersion defaultVersion, IReadOnlyList<AssetVersion> versions, CancellationToken cancellationToken)
    {
        var model = ((ModelAsset)asset).Model;
        if (model.DefaultVersion == defaultVersion.Label && model.DefaultVersionPinned == defaultVersion.Pinned)
        {
            return asset;
        }
        var next = model.Clone();
        next.DefaultVersion = defaultVersion.Label;
        next.DefaultVersionPinned = defaultVersion.Pinned;
        var saved = await store.ReplaceAsync(next, model.ETag!, cancellationToken);
        await notifier.NotifyAsync(new ModelChange(model.Name, model, saved), cancellationToken);
        return new ModelAsset(saved);
    }

    public Task OnFileVerifiedAsync(AssetVersion version, CancellationToken cancellationToken) => Task.CompletedTask;
}
