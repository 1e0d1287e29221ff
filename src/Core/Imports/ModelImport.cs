using System.Text.Json.Serialization;
using ModelsHub.Contracts.Imports;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Imports;

/// <summary>
/// An import of a model repository from an external source (Hugging Face) into a version of a hub
/// model: what was asked, the commit it was pinned to, the files with their progress, and the
/// outcome. Advanced by the <see cref="HuggingFaceImportWorkflow"/> of the same id.
/// </summary>
public sealed class ModelImport : IStoredDocument<ModelImport>
{
    public required string Id { get; init; }

    /// <summary>Where the files come from: <c>huggingface</c>.</summary>
    public string Source { get; init; } = HuggingFaceImports.Source;

    /// <summary>The repository as the source names it (<c>owner/name</c>; the Hub's canonical id once read).</summary>
    public required string RepoId { get; set; }

    /// <summary>The branch, tag or commit asked for.</summary>
    public required string Revision { get; init; }

    /// <summary>The commit the revision named when the import was accepted: every file is read at it.</summary>
    public required string Commit { get; init; }

    /// <summary>The source's address when the import was accepted (a mirror, or the Hub).</summary>
    public required string Endpoint { get; init; }

    public List<string> Include { get; init; } = [];

    public List<string> Exclude { get; init; } = [];

    /// <summary>The hub model the files go to (new or existing).</summary>
    public required string Model { get; init; }

    /// <summary>The model as an asset (its versions and uploads are addressed by it).</summary>
    [JsonIgnore]
    public AssetRef Asset => AssetRef.Model(Model);

    /// <summary>The model as it is registered when it does not exist yet.</summary>
    public required ImportedModel ModelSpec { get; init; }

    /// <summary>Whether this import registered the model (so a failed or cancelled import takes it back).</summary>
    public bool ModelCreated { get; set; }

    /// <summary>The version label asked for, or, once the version exists, its label.</summary>
    public string? Version { get; set; }

    public string VersionNotes { get; init; } = "";

    /// <summary>Whether the version was added by this import (set once it exists).</summary>
    public bool VersionCreated { get; set; }

    public List<ImportFile> Files { get; init; } = [];

    /// <summary>What the source says about the repository (for display; the model was typed from them).</summary>
    public string? PipelineTag { get; init; }

    public string? LibraryName { get; init; }

    public string? Gated { get; init; }

    public ImportState State { get; set; } = ImportState.Queued;

    /// <summary>Why the import failed (readable, names the file when one was at fault).</summary>
    public string? Error { get; set; }

    /// <summary>What else the import did that its reader should know (the model submitted for review to become public).</summary>
    public string? Notice { get; set; }

    /// <summary>Someone asked to cancel; the worker stops at the next chunk and takes back what it added.</summary>
    public bool CancelRequested { get; set; }

    public string? CancelledBy { get; set; }

    public required string CreatedBy { get; init; }

    /// <summary>The permissions the requester held when the import was accepted: the worker acts with them.</summary>
    public List<string> Permissions { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    [JsonIgnore]
    public bool IsFinished => State is ImportState.Succeeded or ImportState.Failed or ImportState.Cancelled;

    public long TotalBytes => Files.Sum(f => f.Size);

    public long BytesDone => Files.Sum(f => f.BytesDone);

    public ImportFile? FindFile(string path) => Files.FirstOrDefault(f => f.Path == path);

    public ModelImport Clone() => new()
    {
        Id = Id,
        Source = Source,
        RepoId = RepoId,
        Revision = Revision,
        Commit = Commit,
        Endpoint = Endpoint,
        Include = [.. Include],
        Exclude = [.. Exclude],
        Model = Model,
        ModelSpec = ModelSpec,
        ModelCreated = ModelCreated,
        Version = Version,
        VersionNotes = VersionNotes,
        VersionCreated = VersionCreated,
        Files = Files.Select(f => f.Clone()).ToList(),
        PipelineTag = PipelineTag,
        LibraryName = LibraryName,
        Gated = Gated,
        State = State,
        Error = Error,
        Notice = Notice,
        CancelRequested = CancelRequested,
        CancelledBy = CancelledBy,
        CreatedBy = CreatedBy,
        Permissions = [.. Permissions],
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        ETag = ETag,
    };
}

/// <summary>One file to copy: what the source says it is, and how far the copy got.</summary>
public sealed class ImportFile
{
    /// <summary>The path in the repository (folders separated by '/'), which is also its name in the version.</summary>
    public required string Path { get; init; }

    public long Size { get; init; }

    /// <summary>The SHA-256 the source states (LFS files); null when the hub computes it (regular git files).</summary>
    public string? Sha256 { get; init; }

    /// <summary>The git blob id the source states.</summary>
    public string? BlobId { get; init; }

    public ImportFileState State { get; set; } = ImportFileState.Pending;

    /// <summary>Bytes stored so far (whole chunks; the chunk being copied is not counted until it is stored).</summary>
    public long BytesDone { get; set; }

    /// <summary>The upload session the file goes through (the same protocol and verification as a client's upload).</summary>
    public string? UploadId { get; set; }

    /// <summary>The SHA-256 the hub computed from the stored bytes, once verified.</summary>
    public string? VerifiedSha256 { get; set; }

    public ImportFile Clone() => (ImportFile)MemberwiseClone();
}

/// <summary>The model an import registers when it does not exist yet.</summary>
public sealed record ImportedModel(
    ModelType Type,
    ModelFramework Framework,
    ModelVisibility Visibility,
    string Description,
    IReadOnlyList<string> Tags);
