using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Imports;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Imports;

/// <summary>What an import asks for (<c>POST /api/imports/huggingface</c>).</summary>
public sealed record HuggingFaceImportRequest
{
    public string? RepoId { get; init; }

    public string? Revision { get; init; }

    public IReadOnlyList<string> Include { get; init; } = [];

    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>The hub model's name (default: the repository's name); when it exists, the files become a new version of it.</summary>
    public string? ModelName { get; init; }

    public ModelType? Type { get; init; }

    public ModelFramework? Framework { get; init; }

    public ModelVisibility? Visibility { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public string? VersionLabel { get; init; }

    public string? VersionNotes { get; init; }
}

/// <summary>A file the import will not copy, and why.</summary>
public sealed record SkippedFile(string Path, long Size, string Reason);

/// <summary>What an import of a repository at a revision would copy, before anything is copied.</summary>
public sealed record HuggingFaceImportPreview(
    HuggingFaceModel Repository,
    string Revision,
    IReadOnlyList<HuggingFaceFile> Files,
    IReadOnlyList<SkippedFile> Skipped,
    ModelType Type,
    ModelFramework Framework,
    string ModelName)
{
    public long TotalBytes => Files.Sum(f => f.Size);
}

/// <summary>An import as its reader sees it: the document, with the bytes of the file being copied counted live.</summary>
public sealed record ImportView(ModelImport Import, WorkflowInstance? Workflow);

/// <summary>
/// Imports of model repositories from the Hugging Face Hub (seed 004: "choose Hugging Face, enter the
/// model name, the system fetches its information and downloads its files"): preview the files and
/// sizes, accept an import (checked against the Hub before anything is copied), follow it, cancel it.
/// The copying is the <see cref="HuggingFaceImportWorkflow"/>; the files land through the upload
/// protocol (<see cref="UploadService"/>), so they are staged, verified and published exactly as
/// a client's upload, into a version of a new or existing model.
/// </summary>
public sealed partial class HuggingFaceImports(
    IHuggingFaceHub hub,
    HuggingFaceTokens tokens,
    IModelImportStore store,
    IModelStore models,
    VersionCatalog versions,
    IVersionStore versionStore,
    UploadService uploads,
    WorkflowStarter starter,
    IWorkflowStore workflows,
    IOptions<HuggingFaceOptions> options,
    IOptions<UploadOptions> uploadOptions,
    TimeProvider clock,
    ILogger<HuggingFaceImports> logger)
{
    public const string Source = "huggingface";
    public const string DefaultRevision = "main";
    public const int MaxRepoIdLength = 96 * 2 + 1;
    public const int MaxRevisionLength = 255;
    public const int MaxListed = 100;

    // The Hub's repository ids: an optional owner and a name of letters, digits, '-', '_' and '.'.
    [GeneratedRegex(@"^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")]
    private static partial Regex RepoIdPattern();

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex NotInModelName();

    /// <summary>The files an import would copy, with their sizes, and what the repository would be typed as.</summary>
    public async Task<HuggingFaceImportPreview> PreviewAsync(Caller caller, string? repoId, string? revision, IReadOnlyList<string> include, IReadOnlyList<string> exclude,
        CancellationToken cancellationToken)
    {
        Demand(caller, "preview an import from Hugging Face");
        var errors = new ValidationErrors();
        ValidateSource(repoId, revision, include, exclude, errors);
        errors.ThrowIfAny();
        var token = await tokens.RevealAsync(caller.UserId!, cancellationToken);
        return await ReadAsync(repoId!, revision ?? DefaultRevision, include, exclude, token, cancellationToken);
    }

    /// <summary>
    /// Accepts an import: the source, the selection and the target model and version are checked
    /// (against the Hub too: the repository, the revision, every <c>include</c> glob, access to gated
    /// files) before anything is stored; then the import and its workflow start.
    /// </summary>
    public async Task<ModelImport> StartAsync(Caller caller, HuggingFaceImportRequest request, CancellationToken cancellationToken)
    {
        Demand(caller, "import models from Hugging Face");
        var errors = new ValidationErrors();
        Validate(request, errors);
        errors.ThrowIfAny();

        var revision = request.Revision ?? DefaultRevision;
        var token = await tokens.RevealAsync(caller.UserId!, cancellationToken);
        var preview = await ReadAsync(request.RepoId!, revision, request.Include, request.Exclude, token, cancellationToken);
        var repo = preview.Repository;
        var name = request.ModelName ?? preview.ModelName;

        var existing = await models.FindAsync(name, cancellationToken);
        ImportedModel spec;
        if (existing is not null)
        {
            try
            {
                await versions.GetForChangeAsync(caller, AssetRef.Model(existing.Name), "import a version into this model", cancellationToken);
            }
            catch (NotFoundException)
            {
                throw new ConflictException($"A model named '{name}' already exists and you may not add versions to it; choose another name.", "model.name");
            }
            if (request.VersionLabel is { } label && await versionStore.FindAsync(AssetRef.Model(existing.Name), label, cancellationToken) is not null)
            {
                throw new ConflictException($"Model '{existing.Name}' already has a version '{label}'; choose another label or leave it out for the suggested one.", "version.label");
            }
            spec = new ImportedModel(existing.Type, existing.Framework, existing.Visibility, existing.Description, existing.Tags);
        }
        else
        {
            spec = ModelSpecFor(request, preview, name);
        }

        if (repo.Gated is not null)
        {
            // The Hub shows a gated repository's files to anyone; reading one says whether this token was granted access.
            await CheckAccessAsync(repo, preview.Files[0].Path, token, cancellationToken);
        }

        var now = clock.GetUtcNow();
        var import = new ModelImport
        {
            Id = "hf-" + Guid.NewGuid().ToString("N")[..20],
            RepoId = repo.Id,
            Revision = revision,
            Commit = repo.Commit,
            Endpoint = options.Value.EndpointUri.ToString(),
            Include = [.. request.Include],
            Exclude = [.. request.Exclude],
            Model = existing?.Name ?? name,
            ModelSpec = spec,
            Version = request.VersionLabel,
            VersionNotes = request.VersionNotes ?? $"Imported from Hugging Face {repo.Id} at commit {repo.Commit} ({revision}).",
            Files = preview.Files.Select(f => new ImportFile { Path = f.Path, Size = f.Size, Sha256 = f.LfsSha256, BlobId = f.BlobId }).ToList(),
            PipelineTag = repo.PipelineTag,
            LibraryName = repo.LibraryName,
            Gated = repo.Gated,
            CreatedBy = caller.UserId!,
            Permissions = caller.Granted.Order(StringComparer.Ordinal).ToList(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        var created = await store.CreateAsync(import, cancellationToken);
        await StartWorkflowAsync(created, cancellationToken);
        LogAccepted(logger, created.Id, repo.Id, repo.Commit, created.Files.Count, created.TotalBytes, created.Model, caller.UserId);
        return created;
    }

    /// <summary>The import, for its starter or an administrator (404 for anyone else), with the current file's bytes counted live.</summary>
    public async Task<ImportView> GetAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var import = await FindVisibleAsync(caller, id, cancellationToken);
        var workflow = await workflows.FindAsync(import.Id, cancellationToken);
        if (workflow is null && !import.IsFinished)
        {
            // Accepted, but the process stopped before its workflow was stored: start it now (starting is idempotent).
            workflow = await StartWorkflowAsync(import, cancellationToken);
        }
        return new ImportView(await WithLiveProgressAsync(import, cancellationToken), workflow);
    }

    /// <summary>The caller's imports (an administrator's: everyone's), newest first.</summary>
    public async Task<IReadOnlyList<ModelImport>> ListAsync(Caller caller, bool everyone, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated) throw new AuthenticationRequiredException("Sign in to see your imports.");
        if (everyone && !caller.IsAdmin)
        {
            throw new ForbiddenException($"Only administrators ('{Permissions.AdministerUsers}') see everyone's imports; leave out all=true to see yours.");
        }
        return await store.ListRecentAsync(everyone ? null : caller.UserId, MaxListed, cancellationToken);
    }

    /// <summary>
    /// Asks a running import to stop: its worker stops at the next chunk, aborts the upload and takes
    /// back the version (and the model, when the import registered it). A finished import is a 409.
    /// </summary>
    public async Task<ImportView> CancelAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var import = await FindVisibleAsync(caller, id, cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            if (import.IsFinished)
            {
                throw new ConflictException($"Import '{id}' has already {Describe(import.State)}; there is nothing to cancel.");
            }
            if (import.CancelRequested)
            {
                break;
            }
            var next = import.Clone();
            next.CancelRequested = true;
            next.CancelledBy = caller.UserId;
            next.UpdatedAt = clock.GetUtcNow();
            try
            {
                import = await store.ReplaceAsync(next, import.ETag!, cancellationToken);
                LogCancelRequested(logger, id, caller.UserId);
                break;
            }
            catch (PreconditionFailedException) when (attempt < 10)
            {
                import = await store.FindAsync(id, cancellationToken) ?? throw new NotFoundException("Import", id);
            }
        }
        // Wake the worker now rather than at its next timer.
        var workflow = await workflows.FindAsync(import.Id, cancellationToken) ?? await StartWorkflowAsync(import, cancellationToken);
        await starter.WakeAsync(import.Id, cancellationToken);
        return new ImportView(await WithLiveProgressAsync(import, cancellationToken), workflow);
    }

    /// <summary>The checks of a request that need nothing but the request (the API adds them to its own reading errors, so one answer names every bad field).</summary>
    public static void Validate(HuggingFaceImportRequest request, ValidationErrors errors)
    {
        ValidateSource(request.RepoId, request.Revision, request.Include, request.Exclude, errors);
        if (request.ModelName is not null)
        {
            ModelRules.ValidateName(request.ModelName, errors, "model.name");
        }
        if (request.VersionLabel is not null)
        {
            VersionRules.ValidateLabel(request.VersionLabel, errors, "version.label");
        }
        if (request.VersionNotes is { Length: > VersionRules.MaxNotesLength })
        {
            errors.Add("version.notes", $"Must be at most {VersionRules.MaxNotesLength} characters.");
        }
    }

    /// <summary>The message a gated repository's refusal becomes: what to do about it, not "not found".</summary>
    public static string GatedMessage(string repoId, bool hadToken, string endpoint) => hadToken
        ? $"gated: {repoId} is a gated repository and your saved Hugging Face token's account has not been granted access. Accept the license on the Hub ({endpoint.TrimEnd('/')}/{repoId}) with that account, then import again."
        : $"gated: {repoId} is a gated repository. Accept the license on the Hub ({endpoint.TrimEnd('/')}/{repoId}) and save a Hugging Face token of that account (PUT /api/me/huggingface-token), then import again.";

    /// <summary>The caller who acts for an import's requester in the background: the permissions they held when it was accepted.</summary>
    public static Caller CallerOf(ModelImport import) => new(import.CreatedBy, import.Permissions);

    internal Task<WorkflowInstance> StartWorkflowAsync(ModelImport import, CancellationToken cancellationToken) =>
        starter.StartAsync(HuggingFaceImportWorkflow.KindName, HuggingFaceImportWorkflow.Steps.Prepare, import.Id,
            new Dictionary<string, string> { ["importId"] = import.Id, ["repoId"] = import.RepoId, ["commit"] = import.Commit }, import.CreatedBy, cancellationToken);

    /// <summary>Imports need a signed-in caller holding <c>sources.manage</c>.</summary>
    public static void Demand(Caller caller, string what)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException($"Sign in to {what}.");
        }
        if (!caller.Has(Permissions.ManageExternalSources))
        {
            throw new ForbiddenException($"To {what} you need the '{Permissions.ManageExternalSources}' permission.");
        }
    }

    private static void ValidateSource(string? repoId, string? revision, IReadOnlyList<string> include, IReadOnlyList<string> exclude, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(repoId))
        {
            errors.Add("repoId", "Is required: the repository on the Hub, such as openai-community/gpt2 (or gpt2).");
        }
        else if (repoId.Length > MaxRepoIdLength || !RepoIdPattern().IsMatch(repoId) || repoId.Contains("--", StringComparison.Ordinal) || repoId.Contains("..", StringComparison.Ordinal))
        {
            errors.Add("repoId", "Must be a Hugging Face repository id: owner/name (or a name), letters, digits, '-', '_' and '.', at most 96 characters each.");
        }
        if (revision is not null && (revision.Length is 0 or > MaxRevisionLength || revision.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || revision.Contains("..", StringComparison.Ordinal)))
        {
            errors.Add("revision", $"Must be a branch, tag or commit of the repository (1 to {MaxRevisionLength} characters, no spaces); leave it out for {DefaultRevision}.");
        }
        ValidateGlobs(include, "include", errors);
        ValidateGlobs(exclude, "exclude", errors);
    }

    private static void ValidateGlobs(IReadOnlyList<string> globs, string field, ValidationErrors errors)
    {
        if (globs.Count > RepoFileGlobs.MaxPatterns)
        {
            errors.Add(field, $"At most {RepoFileGlobs.MaxPatterns} patterns.");
            return;
        }
        for (var i = 0; i < globs.Count; i++)
        {
            if (RepoFileGlobs.ProblemWith(globs[i]) is { } problem)
            {
                errors.Add($"{field}[{i}]", problem);
            }
        }
    }

    /// <summary>Reads the repository at the revision and selects its files; the Hub's refusals become errors on the field at fault.</summary>
    private async Task<HuggingFaceImportPreview> ReadAsync(string repoId, string revision, IReadOnlyList<string> include, IReadOnlyList<string> exclude, string? token,
        CancellationToken cancellationToken)
    {
        HuggingFaceModel repo;
        try
        {
            repo = await hub.GetModelAsync(repoId, revision, token, cancellationToken);
        }
        catch (HuggingFaceException ex) when (!ex.IsTransient)
        {
            throw FieldError(ex, repoId, revision, token is not null);
        }

        var selected = new List<HuggingFaceFile>();
        var skipped = new List<SkippedFile>();
        var matched = new bool[include.Count];
        var limit = uploadOptions.Value.MaxFileBytes;
        foreach (var file in repo.Files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            for (var i = 0; i < include.Count; i++)
            {
                matched[i] |= RepoFileGlobs.IsMatch(include[i], file.Path);
            }
            if (!RepoFileGlobs.Selects(include, exclude, file.Path))
            {
                continue;
            }
            if (UploadRules.ProblemWithFilePath(file.Path) is { } problem)
            {
                skipped.Add(new SkippedFile(file.Path, file.Size, "The hub cannot store a file under this name: " + problem));
            }
            else if (file.Size == 0)
            {
                skipped.Add(new SkippedFile(file.Path, 0, "The file is empty; the hub stores files of at least one byte."));
            }
            else if (file.Size > limit)
            {
                skipped.Add(new SkippedFile(file.Path, file.Size, $"The file is {file.Size} bytes, over this hub's limit of {limit} bytes per file (Uploads:MaxFileBytes)."));
            }
            else
            {
                selected.Add(file);
            }
        }

        var errors = new ValidationErrors();
        for (var i = 0; i < include.Count; i++)
        {
            if (!matched[i])
            {
                errors.Add($"include[{i}]", $"'{include[i]}' matches no file of {repo.Id} at {revision}; its files are: {Listing(repo.Files.Select(f => f.Path))}.");
            }
        }
        errors.ThrowIfAny();
        if (selected.Count == 0)
        {
            var reason = skipped.Count > 0 ? $" ({string.Join("; ", skipped.Take(3).Select(s => $"{s.Path}: {s.Reason}"))})" : "";
            throw new ValidationException(include.Count > 0 ? "include" : exclude.Count > 0 ? "exclude" : "repoId",
                $"Nothing to import: no file of {repo.Id} at {revision} is selected{reason}.");
        }
        if (selected.Count > options.Value.MaxFiles)
        {
            throw new ValidationException("include",
                $"{selected.Count} files are selected, more than one import copies ({options.Value.MaxFiles}, HuggingFace:MaxFiles); narrow the selection with include or exclude.");
        }
        var paths = selected.Select(f => f.Path).ToList();
        return new HuggingFaceImportPreview(repo, revision, selected, skipped,
            HuggingFaceMapping.TypeFor(repo.PipelineTag, repo.LibraryName),
            HuggingFaceMapping.FrameworkFor(repo.LibraryName, repo.Tags, paths),
            ModelNameFor(repo.Id));
    }

    private async Task CheckAccessAsync(HuggingFaceModel repo, string path, string? token, CancellationToken cancellationToken)
    {
        try
        {
            await hub.ProbeFileAsync(repo.Id, repo.Commit, path, token, cancellationToken);
        }
        catch (HuggingFaceException ex) when (!ex.IsTransient)
        {
            throw FieldError(ex, repo.Id, repo.Commit, token is not null);
        }
    }

    /// <summary>A refusal of the Hub as an error on the request's field: gated and private repositories say what to do.</summary>
    private ValidationException FieldError(HuggingFaceException ex, string repoId, string revision, bool hadToken)
    {
        var endpoint = options.Value.EndpointUri.ToString();
        return ex.Error switch
        {
            HuggingFaceError.Gated => new ValidationException("repoId", GatedMessage(repoId, hadToken, endpoint)),
            HuggingFaceError.RevisionNotFound => new ValidationException("revision", $"{repoId} has no branch, tag or commit '{revision}' on the Hub ({ex.Message})."),
            HuggingFaceError.TokenRejected => new ValidationException("repoId",
                $"The Hub rejected your saved Hugging Face token ({ex.Message}); save a new one (PUT /api/me/huggingface-token) or delete it to read public repositories anonymously."),
            HuggingFaceError.RepoNotFound when hadToken => new ValidationException("repoId",
                $"The Hub has no model repository '{repoId}' that your saved token's account may read ({ex.Message}). Check the id; for a private repository, the token's account needs access."),
            HuggingFaceError.RepoNotFound => new ValidationException("repoId",
                $"The Hub has no public model repository '{repoId}' ({ex.Message}). Check the id; if it is private, save a Hugging Face token that may read it (PUT /api/me/huggingface-token)."),
            _ => new ValidationException("repoId", $"The Hub refused {repoId}: {ex.Message}."),
        };
    }

    private ImportedModel ModelSpecFor(HuggingFaceImportRequest request, HuggingFaceImportPreview preview, string name)
    {
        var repo = preview.Repository;
        var type = request.Type ?? preview.Type;
        var visibility = request.Visibility ?? ModelVisibility.Private;
        var tags = ModelRules.NormalizeTags(request.Tags ?? DefaultTags(repo));
        var description = request.Description
            ?? $"{(repo.PipelineTag is null ? "Model" : repo.PipelineTag + " model")} imported from Hugging Face {repo.Id}{(repo.LibraryName is null ? "" : $" ({repo.LibraryName})")}.";
        var errors = new ValidationErrors();
        var probe = new HubModel
        {
            Id = HubModel.IdFor(name),
            Name = name,
            Type = type,
            Owner = "import",
            Description = description,
            Tags = tags,
            // Validated as registered: private first; a public one is published once its files are in.
            Visibility = ModelVisibility.Private,
        };
        var modelErrors = new ValidationErrors();
        ModelRules.Validate(probe, modelErrors);
        foreach (var (field, messages) in modelErrors.ToDictionary())
        {
            foreach (var message in messages) errors.Add("model." + field, message);
        }
        if (visibility == ModelVisibility.Public && type.IsXinference())
        {
            errors.Add("model.visibility",
                $"A public {EnumNames<ModelType>.NameOf(type)} model needs its Xinference spec, which Hugging Face does not provide; import it private, add its spec, then publish it.");
        }
        errors.ThrowIfAny();
        return new ImportedModel(type, request.Framework ?? preview.Framework, visibility, description, tags);
    }

    private static IEnumerable<string> DefaultTags(HuggingFaceModel repo)
    {
        yield return "huggingface";
        if (repo.PipelineTag is { Length: <= ModelRules.MaxTagLength } task) yield return task;
        if (repo.LibraryName is { Length: <= ModelRules.MaxTagLength } library) yield return library;
    }

    /// <summary>The hub model name a repository gets by default: its name without the owner, in the hub's alphabet.</summary>
    public static string ModelNameFor(string repoId)
    {
        var name = NotInModelName().Replace(repoId[(repoId.LastIndexOf('/') + 1)..], "-").Trim('.', '-');
        if (name.Length > ModelRules.MaxNameLength) name = name[..ModelRules.MaxNameLength];
        return name.Length == 0 || ModelRules.ReservedNames.Contains(name) ? "hf-" + name : name;
    }

    private async Task<ModelImport> FindVisibleAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated) throw new AuthenticationRequiredException("Sign in to see your imports.");
        var import = await store.FindAsync(id, cancellationToken);
        if (import is null || !(caller.IsUser(import.CreatedBy) || caller.IsAdmin))
        {
            throw new NotFoundException("Import", id);
        }
        return import;
    }

    /// <summary>The file being copied counts the chunks its upload holds now (the document is saved per file, not per chunk).</summary>
    private async Task<ModelImport> WithLiveProgressAsync(ModelImport import, CancellationToken cancellationToken)
    {
        if (import.IsFinished || import.Version is null)
        {
            return import;
        }
        var view = import.Clone();
        var copying = view.Files.Where(f => f.State is ImportFileState.Copying && f.UploadId is not null).ToList();
        if (copying.Count == 0)
        {
            return view;
        }
        try
        {
            // The model's open uploads with what arrived of each (no fresh upload target is issued for a read).
            var active = (await uploads.ListActiveAsync(CallerOf(import), import.Asset, cancellationToken)).ToDictionary(u => u.Session.Id, StringComparer.Ordinal);
            foreach (var file in copying)
            {
                if (active.TryGetValue(file.UploadId!, out var state))
                {
                    file.BytesDone = Math.Max(file.BytesDone, state.Progress.BytesReceived);
                }
            }
        }
        catch (HubException ex) when (ex is NotFoundException or ForbiddenException or AuthenticationRequiredException)
        {
            // The model was deleted or the requester lost access meanwhile: the document's figures stand.
        }
        return view;
    }

    private static string Describe(ImportState state) => state switch
    {
        ImportState.Succeeded => "succeeded",
        ImportState.Failed => "failed",
        ImportState.Cancelled => "been cancelled",
        _ => EnumNames<ImportState>.NameOf(state),
    };

    private static string Listing(IEnumerable<string> paths)
    {
        var all = paths.ToList();
        return all.Count <= 20 ? string.Join(", ", all) : string.Join(", ", all.Take(20)) + $" and {all.Count - 20} more";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {Import} accepted: {Repo} at {Commit}, {Files} files ({Bytes} bytes) into model {Model}, by {User}")]
    private static partial void LogAccepted(ILogger logger, string import, string repo, string commit, int files, long bytes, string model, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {Import}: cancellation asked by {User}")]
    private static partial void LogCancelRequested(ILogger logger, string import, string? user);
}
