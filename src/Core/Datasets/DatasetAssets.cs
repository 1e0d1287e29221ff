using System.Security.Cryptography;
using System.Text;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Contracts.Versions;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Events;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Versions;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Datasets;

/// <summary>A dataset as the version machinery sees it.</summary>
public sealed record DatasetAsset(Dataset Dataset)
    : VersionedAsset(Dataset.Ref, Dataset.Owner, new DefaultVersion(Dataset.DefaultVersion, Dataset.DefaultVersionPinned), Dataset.ETag,
        new VersionFilePolicy(Dataset.Format.Extensions(), SingleFile: true, EmptyFiles: true));

/// <summary>
/// Datasets' side of the version machinery: a version holds one file of the dataset's format, kept
/// once verified; a verified file makes the version validating and starts its validation on the
/// workflow runner (<see cref="DatasetValidationWorkflow"/>); the dataset document keeps the default
/// version with its status, records and size, for listings.
/// </summary>
public sealed class DatasetAssets(DatasetCatalog datasets, IDatasetStore store, WorkflowStarter workflows, TimeProvider clock) : IVersionedAssets
{
    public AssetKind Kind => AssetKind.Dataset;

    public VersionStatus StatusOnceVerified => VersionStatus.Validating;

    /// <summary>The end of a validation (ready, invalid) and a file that never arrived (failed); validating is not announced.</summary>
    public HubEvent? StatusEvent(string? owner, AssetVersion version, VersionFile? file, DateTimeOffset now) => version.Status switch
    {
        VersionStatus.Ready => EventPayloads.DatasetVersion(WebhookEventTypes.DatasetVersionReady, owner, version, now),
        VersionStatus.Invalid => EventPayloads.DatasetVersion(WebhookEventTypes.DatasetVersionInvalid, owner, version, now),
        VersionStatus.Failed => EventPayloads.DatasetVersion(WebhookEventTypes.DatasetVersionFailed, owner, version, now),
        _ => null,
    };

    public async Task<VersionedAsset> GetAsync(Caller caller, string name, CancellationToken cancellationToken) =>
        new DatasetAsset(await datasets.GetAsync(caller, name, cancellationToken));

    public async Task<VersionedAsset> GetForChangeAsync(Caller caller, string name, string what, CancellationToken cancellationToken) =>
        new DatasetAsset(await datasets.GetForChangeAsync(caller, name, what, cancellationToken));

    public async Task<VersionedAsset?> FindAsync(string name, CancellationToken cancellationToken) =>
        await store.FindAsync(name, cancellationToken) is { } dataset ? new DatasetAsset(dataset) : null;

    public async Task<VersionedAsset> SaveVersionSummaryAsync(VersionedAsset asset, DefaultVersion defaultVersion, IReadOnlyList<AssetVersion> versions, CancellationToken cancellationToken)
    {
        var dataset = ((DatasetAsset)asset).Dataset;
        var chosen = versions.FirstOrDefault(v => v.Status == VersionStatus.Ready && string.Equals(v.Label, defaultVersion.Label, StringComparison.OrdinalIgnoreCase));
        var newest = versions.OrderBy(v => v.CreatedAt).ThenBy(v => v.Id, StringComparer.Ordinal).LastOrDefault();
        var status = chosen is not null ? DatasetStatus.Ready : newest is null ? DatasetStatus.Empty : StatusOf(newest.Status);
        var next = dataset.Clone();
        next.DefaultVersion = chosen?.Label;
        next.DefaultVersionPinned = chosen is not null && defaultVersion.Pinned;
        next.Status = status;
        next.RecordCount = chosen?.Validation?.RecordCount;
        next.SizeBytes = chosen?.TotalSize;
        next.TokenEstimate = chosen?.Validation?.Tokens?.Tokens;
        next.VersionCount = versions.Count;
        if (next.DefaultVersion == dataset.DefaultVersion && next.DefaultVersionPinned == dataset.DefaultVersionPinned && next.Status == dataset.Status
            && next.RecordCount == dataset.RecordCount && next.SizeBytes == dataset.SizeBytes && next.TokenEstimate == dataset.TokenEstimate
            && next.VersionCount == dataset.VersionCount)
        {
            return asset;
        }
        next.UpdatedAt = clock.GetUtcNow();
        return new DatasetAsset(await store.ReplaceAsync(next, dataset.ETag!, cancellationToken));
    }

    /// <summary>Starts the version's validation; starting it again (a retry, the sweeper) finds the same run.</summary>
    public async Task OnFileVerifiedAsync(AssetVersion version, CancellationToken cancellationToken)
    {
        if (version.Files is not [var file])
        {
            return;
        }
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [DatasetValidationWorkflow.Data.Dataset] = version.Asset,
            [DatasetValidationWorkflow.Data.Version] = version.Label,
            [DatasetValidationWorkflow.Data.File] = file.Name,
            [DatasetValidationWorkflow.Data.Sha256] = file.Sha256,
        };
        await workflows.StartAsync(DatasetValidationWorkflow.KindName, DatasetValidationWorkflow.Steps.Validate, ValidationId(version, file), data, version.CreatedBy, cancellationToken);
    }

    /// <summary>
    /// One validation per version and file: a version deleted and added again under its label, even
    /// with the same bytes, is validated again.
    /// </summary>
    public static string ValidationId(AssetVersion version, VersionFile file)
    {
        var identity = $"{version.AssetKey}\n{version.Id}\n{version.CreatedAt.UtcTicks}\n{file.Sha256}";
        return "dataset-validation-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32];
    }

    private static DatasetStatus StatusOf(VersionStatus status) => status switch
    {
        VersionStatus.Uploading => DatasetStatus.Uploading,
        VersionStatus.Validating => DatasetStatus.Validating,
        VersionStatus.Ready => DatasetStatus.Ready,
        VersionStatus.Invalid => DatasetStatus.Invalid,
        _ => DatasetStatus.Failed,
    };
}
