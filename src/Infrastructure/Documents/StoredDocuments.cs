using ModelsHub.Core.AccessTokens;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Datasets;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Imports;
using ModelsHub.Core.Reviews;
using ModelsHub.Core.Training;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Upstream;
using ModelsHub.Core.Versions;
using ModelsHub.Core.Webhooks;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Infrastructure.Documents;

/// <summary>The kinds of documents the hub stores, as both adapters name them in errors.</summary>
internal static class StoredDocuments
{
    public static DocumentKind<HubModel> Models { get; } = new("Model", m => m.Name,
        m => new ConflictException($"A model named '{m.Name}' already exists (names are unique ignoring case).", "name"));

    public static DocumentKind<AssetVersion> Versions { get; } = new("Version", v => $"{v.Asset}/{v.Label}",
        v => new ConflictException($"{v.Kind.Title()} '{v.Asset}' already has a version '{v.Label}' (labels are unique ignoring case).", "label"));

    public static DocumentKind<Submission> Submissions { get; } = new("Submission", s => s.Id,
        s => new ConflictException($"Submission '{s.Id}' or revision {s.Revision} of model '{s.ModelName}' already exists."));

    public static DocumentKind<UploadSession> Uploads { get; } = new("Upload", u => u.Id,
        u => new ConflictException($"Another upload of '{u.FileName}' into version '{u.Version}' is in progress.", "fileName"));

    public static DocumentKind<SyncRun> SyncRuns { get; } = new("Sync run", r => r.Id,
        r => new ConflictException($"Sync run '{r.Id}' already exists."));

    public static DocumentKind<WorkflowInstance> Workflows { get; } = new("Workflow", w => w.Id,
        w => new ConflictException($"Workflow '{w.Id}' already exists."));

    public static DocumentKind<TrainingJob> TrainingJobs { get; } = new("Training job", j => j.Id,
        j => new ConflictException($"Training job '{j.Id}' already exists."));

    public static DocumentKind<HubUser> Users { get; } = new("User", u => u.Id,
        u => new ConflictException($"User '{u.Id}' already exists."));

    public static DocumentKind<Webhook> Webhooks { get; } = new("Webhook", w => w.Id,
        w => new ConflictException($"Webhook '{w.Id}' already exists."));

    public static DocumentKind<WebhookDelivery> WebhookDeliveries { get; } = new("Delivery", d => d.Id,
        d => new ConflictException($"Delivery '{d.Id}' already exists."));
    public static DocumentKind<Dataset> Datasets { get; } = new("Dataset", d => d.Name,
        d => new ConflictException($"A dataset named '{d.Name}' already exists (names are unique ignoring case).", "name"));
    public static DocumentKind<AccessToken> AccessTokens { get; } = new("Access token", t => t.TokenId,
        t => new ConflictException($"Access token '{t.TokenId}' already exists."));
    public static DocumentKind<ModelImport> Imports { get; } = new("Import", i => i.Id,
        i => new ConflictException($"Import '{i.Id}' already exists."));
}
