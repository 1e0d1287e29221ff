using System.Text.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Workflows;

namespace ModelsHub.Contracts.Imports;

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
