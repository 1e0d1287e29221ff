using System.Text.Json;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Imports;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Functions.Imports;

/// <summary><c>POST /api/imports/huggingface</c>: the repository, the files to take, and the model and version they become.</summary>
public sealed record HuggingFaceImportRequestBody(
    string RepoId,
    string? Revision,
    IReadOnlyList<string>? Include,
    IReadOnlyList<string>? Exclude,
    ImportModelFields? Model,
    ImportVersionFields? Version);

/// <summary>The model the files go to: an existing model's name adds a version to it; the other fields apply when the import registers it.</summary>
public sealed record ImportModelFields(string? Name, ModelType? Type, ModelFramework? Framework, ModelVisibility? Visibility, string? Description, IReadOnlyList<string>? Tags);

public sealed record ImportVersionFields(string? Label, string? Notes);

/// <summary>An import: what it copies from where, how far it got, and what it produced.</summary>
public sealed record ImportDto(
    string Id,
    string Source,
    string RepoId,
    string Revision,
    string Commit,
    string Endpoint,
    IReadOnlyList<string> Include,
    IReadOnlyList<string> Exclude,
    ImportState State,
    string Model,
    bool ModelCreated,
    string? Version,
    IReadOnlyList<ImportFileDto> Files,
    int FileCount,
    int FilesDone,
    long TotalBytes,
    long BytesDone,
    string? PipelineTag,
    string? LibraryName,
    string? Gated,
    string? Error,
    string? Notice,
    bool CancelRequested,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    ImportWorkflowDto? Workflow,
    string Url,
    string ModelUrl,
    string? VersionUrl);

/// <summary>One file: its size and bytes stored so far, the SHA-256 the Hub states (LFS files) and the one the hub computed.</summary>
public sealed record ImportFileDto(string Path, long Size, long BytesDone, ImportFileState State, bool Lfs, string? ExpectedSha256, string? Sha256);

/// <summary>Where the import's workflow is: its step, tries and last error while the Hub is retried.</summary>
public sealed record ImportWorkflowDto(string Id, WorkflowStatus Status, string Step, int Attempt, DateTimeOffset? NextAttemptAt, string? LastError);

public sealed record ImportListResponse(IReadOnlyList<ImportDto> Items);

/// <summary>What an import would copy, before anything is copied: the files with their sizes and the total, and how the model would be typed.</summary>
public sealed record ImportPreviewDto(
    string RepoId,
    string Revision,
    string Commit,
    string? PipelineTag,
    string? LibraryName,
    string? Gated,
    bool Private,
    ModelType Type,
    ModelFramework Framework,
    string ModelName,
    JsonElement? CardData,
    IReadOnlyList<PreviewFileDto> Files,
    IReadOnlyList<SkippedFileDto> Skipped,
    int FileCount,
    long TotalBytes);

public sealed record PreviewFileDto(string Path, long Size, bool Lfs, string? Sha256);

public sealed record SkippedFileDto(string Path, long Size, string Reason);

public static class ImportMappings
{
    public static string PathOf(string id) => $"/api/imports/{Uri.EscapeDataString(id)}";

    public static ImportDto ToDto(this ImportView view)
    {
        var (import, workflow) = (view.Import, view.Workflow);
        var state = import.State;
        var error = import.Error;
        if (!import.IsFinished && workflow is { Status: WorkflowStatus.Failed })
        {
            // The workflow gave up (its take-back failed too often): say so rather than "running" forever.
            state = ImportState.Failed;
            error ??= workflow.LastError;
        }
        var model = $"/api/models/{Uri.EscapeDataString(import.Model)}";
        return new ImportDto(import.Id, import.Source, import.RepoId, import.Revision, import.Commit, import.Endpoint, import.Include, import.Exclude,
            state, import.Model, import.ModelCreated, import.Version,
            import.Files.Select(f => new ImportFileDto(f.Path, f.Size, f.BytesDone, f.State, f.Sha256 is not null, f.Sha256, f.VerifiedSha256)).ToList(),
            import.Files.Count, import.Files.Count(f => f.State == ImportFileState.Done), import.TotalBytes, import.BytesDone,
            import.PipelineTag, import.LibraryName, import.Gated, error, import.Notice, import.CancelRequested, import.CreatedBy,
            import.CreatedAt, import.UpdatedAt, import.StartedAt, import.FinishedAt,
            workflow is null ? null : new ImportWorkflowDto(workflow.Id, workflow.Status, workflow.Step, workflow.Attempt, workflow.NextAttemptAt, workflow.LastError),
            PathOf(import.Id), model, import.Version is null ? null : $"{model}/versions/{Uri.EscapeDataString(import.Version)}");
    }

    public static ImportPreviewDto ToDto(this HuggingFaceImportPreview preview) => new(
        preview.Repository.Id, preview.Revision, preview.Repository.Commit, preview.Repository.PipelineTag, preview.Repository.LibraryName,
        preview.Repository.Gated, preview.Repository.Private, preview.Type, preview.Framework, preview.ModelName, preview.Repository.CardData,
        preview.Files.Select(f => new PreviewFileDto(f.Path, f.Size, f.IsLfs, f.LfsSha256)).ToList(),
        preview.Skipped.Select(s => new SkippedFileDto(s.Path, s.Size, s.Reason)).ToList(),
        preview.Files.Count, preview.TotalBytes);
}
