using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Imports;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Events;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Imports;

/// <summary>
/// A Hugging Face import on the workflow runner: <c>prepare</c> registers the model (when new) and
/// adds the version, which awaits every selected file; <c>copy</c> streams each file from
/// <c>resolve/{commit}/{path}</c> into an upload of that version, chunk by chunk, for at most
/// <see cref="HuggingFaceOptions.CopyStepBudget"/> per step, then completes the upload (the hub
/// commits, hashes and checks the LFS SHA-256, or computes it for a regular file, whose git blob id it
/// checks too) before the next file; <c>finish</c> records the outcome. A failure or a cancellation goes
/// to <c>take-back</c>, which aborts the upload and removes the version (and the model it registered).
/// </summary>
/// <remarks>
/// Every step is idempotent and resumable: the chunks already stored are the upload's own record, so
/// a copy cut by a crash, a restart or the step's budget asks the Hub (<c>Range</c>) for what is missing
/// from the first missing chunk on; only the chunk in flight is fetched twice.
/// </remarks>
public sealed partial class HuggingFaceImportWorkflow(
    IModelImportStore store,
    IHuggingFaceHub hub,
    HuggingFaceTokens tokens,
    IModelStore models,
    ModelCatalog catalog,
    VersionCatalog versions,
    IVersionStore versionStore,
    UploadService uploads,
    IBlobStore blobs,
    HubEvents events,
    IOptions<HuggingFaceOptions> options,
    IOptions<WorkflowOptions> workflowOptions,
    TimeProvider clock,
    ILogger<HuggingFaceImportWorkflow> logger) : IWorkflowDefinition
{
    public const string KindName = "huggingface-import";

    /// <summary>How often a copy looks whether someone asked to cancel.</summary>
    private static readonly TimeSpan CancelCheckInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan PollDelay = TimeSpan.FromSeconds(1);

    public static class Steps
    {
        public const string Prepare = "prepare";
        public const string Copy = "copy";
        public const string Finish = "finish";
        public const string TakeBack = "take-back";

        public static IReadOnlyList<string> All { get; } = [Prepare, Copy, Finish, TakeBack];
    }

    public string Kind => KindName;

    public string FirstStep => Steps.Prepare;

    public async Task<StepOutcome> RunStepAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var import = await store.FindAsync(instance.Id, cancellationToken);
        if (import is { IsFinished: true } && instance.Step is Steps.Finish or Steps.TakeBack)
        {
            // The step ended the import but stopped before the workflow could say so: tell subscribers again (same event id).
            await RaiseEndedAsync(import, cancellationToken);
        }
        if (import is null || import.IsFinished)
        {
            return StepOutcome.Complete(note: import is null ? "the import is gone" : $"the import has already ended ({EnumNames<ImportState>.NameOf(import.State)})");
        }
        if (instance.Step == Steps.TakeBack)
        {
            return await TakeBackAsync(import, cancellationToken);
        }
        if (import.CancelRequested || import.Error is not null)
        {
            return StepOutcome.Continue(Steps.TakeBack, note: import.CancelRequested ? "cancelled" : import.Error);
        }
        try
        {
            return instance.Step switch
            {
                Steps.Prepare => await PrepareAsync(import, cancellationToken),
                Steps.Copy => await CopyAsync(import, cancellationToken),
                Steps.Finish => await FinishAsync(import, cancellationToken),
                _ => throw new PermanentStepException($"Unknown step '{instance.Step}' of a {KindName} workflow."),
            };
        }
        catch (ImportCancelledException)
        {
            return StepOutcome.Continue(Steps.TakeBack, note: "cancelled");
        }
        catch (Exception ex) when (IsFinal(ex, instance, cancellationToken))
        {
            var reason = ex is PermanentStepException or HubException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            await ChangeAsync(import.Id, i => i.Error ??= reason, cancellationToken);
            LogFailing(logger, import.Id, instance.Step, reason);
            return StepOutcome.Continue(Steps.TakeBack, note: reason);
        }
    }

    // ---- prepare: the model and the version ----------------------------------------------------

    private async Task<StepOutcome> PrepareAsync(ModelImport import, CancellationToken cancellationToken)
    {
        var caller = HuggingFaceImports.CallerOf(import);
        import = await ChangeAsync(import.Id, i =>
        {
            i.State = ImportState.Running;
            i.StartedAt ??= clock.GetUtcNow();
        }, cancellationToken);

        if (!import.ModelCreated)
        {
            var model = await models.FindAsync(import.Model, cancellationToken);
            var created = false;
            if (model is null)
            {
                var token = await tokens.RevealAsync(import.CreatedBy, cancellationToken);
                var readme = await ReadmeAsync(import, token, cancellationToken);
                try
                {
                    var write = await catalog.CreateAsync(caller, new ModelInput
                    {
                        Name = import.Model,
                        Type = import.ModelSpec.Type,
                        Framework = import.ModelSpec.Framework,
                        Source = ModelSource.Huggingface,
                        Visibility = ModelVisibility.Private,
                        Description = import.ModelSpec.Description,
                        Tags = new Optional<IReadOnlyList<string>>(true, import.ModelSpec.Tags),
                        Readme = readme ?? "",
                    }, cancellationToken);
                    model = write.Model ?? throw new PermanentStepException($"Model '{import.Model}' could not be registered: the registration went to review.");
                    created = true;
                }
                catch (ConflictException)
                {
                    model = await models.FindAsync(import.Model, cancellationToken) ?? throw new PermanentStepException($"model.name: '{import.Model}' cannot be registered; import again with another name.");
                }
            }
            // Registered by this import in an attempt that ended before it could say so.
            created |= model.Owner == import.CreatedBy && model.CreatedAt >= import.CreatedAt && model.Source == ModelSource.Huggingface;
            if (created)
            {
                import = await ChangeAsync(import.Id, i => i.ModelCreated = true, cancellationToken);
                LogModelRegistered(logger, import.Id, import.Model);
            }
            else
            {
                await versions.GetForChangeAsync(caller, import.Asset, "import a version into this model", cancellationToken);
            }
        }

        if (!import.VersionCreated)
        {
            var label = import.Version;
            if (label is null)
            {
                label = VersionLabels.Suggest((await versionStore.ListAsync(import.Asset, cancellationToken)).Select(v => v.Label));
                import = await ChangeAsync(import.Id, i => i.Version ??= label, cancellationToken);
                label = import.Version!;
            }
            var paths = import.Files.Select(f => f.Path).ToList();
            try
            {
                await versions.CreateAsync(caller, import.Asset, new VersionInput
                {
                    Label = label,
                    Notes = import.VersionNotes,
                    AwaitedFiles = paths,
                }, cancellationToken);
            }
            catch (ConflictException ex)
            {
                if (await versionStore.FindAsync(import.Asset, label, cancellationToken) is not { } existing)
                {
                    throw new PermanentStepException($"version.label: {ex.Message}");
                }
                if (!IsOurs(import, existing))
                {
                    throw new PermanentStepException($"version.label: model '{import.Model}' got a version '{label}' from someone else meanwhile; import again with another label.");
                }
            }
            import = await ChangeAsync(import.Id, i => i.VersionCreated = true, cancellationToken);
            LogVersionAdded(logger, import.Id, import.Model, label, paths.Count);
        }
        return StepOutcome.Continue(Steps.Copy, note: $"{import.Model} {import.Version}: {import.Files.Count} files, {import.TotalBytes} bytes");
    }

    /// <summary>The repository's model card (its README.md without the YAML header), or null when it has none.</summary>
    private async Task<string?> ReadmeAsync(ModelImport import, string? token, CancellationToken cancellationToken)
    {
        HuggingFaceDownload download;
        try
        {
            download = await hub.OpenFileAsync(import.RepoId, import.Commit, "README.md", 0, token, cancellationToken);
        }
        catch (HuggingFaceException ex) when (ex.Error is HuggingFaceError.EntryNotFound)
        {
            return null;
        }
        await using (download)
        {
            // Read at most what a model's README may hold (in UTF-8 a character is 1 to 4 bytes).
            var limit = ModelRules.MaxReadmeLength * 4;
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while (buffer.Length < limit && (read = await download.Content.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit - buffer.Length)), cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }
            var card = ModelCard.BodyOf(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            const string cut = "\n\n*(The model card was shortened to fit the hub's README limit.)*\n";
            return card.Length <= ModelRules.MaxReadmeLength ? card : card[..(ModelRules.MaxReadmeLength - cut.Length)] + cut;
        }
    }

    private static bool IsOurs(ModelImport import, AssetVersion version) =>
        version.CreatedBy == import.CreatedBy && version.CreatedAt >= import.CreatedAt
        && version.AwaitedFiles.Concat(version.Files.Select(f => f.Name)).All(name => import.FindFile(name) is not null);

    // ---- copy: each file through an upload -----------------------------------------------------

    private async Task<StepOutcome> CopyAsync(ModelImport import, CancellationToken cancellationToken)
    {
        var caller = HuggingFaceImports.CallerOf(import);
        var token = await tokens.RevealAsync(import.CreatedBy, cancellationToken);
        var budget = options.Value.CopyStepBudget;
        // The step must end well before its queue message may be handed to another reader.
        var half = workflowOptions.Value.VisibilityTimeout / 2;
        var deadline = clock.GetUtcNow() + (budget < half ? budget : half);
        var cancelCheck = new CancelCheck(store, import.Id, clock);

        foreach (var file in import.Files.Where(f => f.State != ImportFileState.Done).ToList())
        {
            while (true)
            {
                (import, var session) = await UploadOfAsync(import, file, caller, cancellationToken);
                if (session.Status == UploadStatus.Completed)
                {
                    await CheckGitBlobAsync(import, file, cancellationToken);
                    import = await ChangeFileAsync(import.Id, file.Path, f =>
                    {
                        f.State = ImportFileState.Done;
                        f.BytesDone = f.Size;
                        f.VerifiedSha256 = session.Sha256;
                    }, cancellationToken);
                    LogFileCopied(logger, import.Id, file.Path, file.Size, session.Sha256);
                    break;
                }
                if (session.Status == UploadStatus.Failed)
                {
                    throw new PermanentStepException($"{file.Path}: {session.FailureReason ?? "the file failed verification"}");
                }
                if (session.Status == UploadStatus.Open)
                {
                    var state = await uploads.GetAsync(caller, import.Asset, import.Version!, session.Id, cancellationToken);
                    if (!await StageMissingAsync(import, file, session, state.Progress.ReceivedChunks, token, deadline, cancelCheck, cancellationToken))
                    {
                        return StepOutcome.Continue(Steps.Copy, note: $"{file.Path}: copying goes on in the next step");
                    }
                }
                UploadCompletion completion;
                try
                {
                    completion = await uploads.CompleteAsync(caller, import.Asset, import.Version!, session.Id, cancellationToken);
                }
                catch (ConflictException ex) when (ex.Field == "chunks")
                {
                    // A chunk went missing (its staged bytes were swept): copy it again.
                    continue;
                }
                catch (ConflictException ex)
                {
                    throw new PermanentStepException($"{file.Path}: {ex.Message}");
                }
                if (!completion.Finished)
                {
                    import = await ChangeFileAsync(import.Id, file.Path, f => f.State = ImportFileState.Verifying, cancellationToken);
                    return StepOutcome.After(PollDelay, Steps.Copy, note: $"{file.Path}: verifying");
                }
            }
            await cancelCheck.ThrowIfCancelledAsync(cancellationToken, force: true);
            if (clock.GetUtcNow() >= deadline)
            {
                return StepOutcome.Continue(Steps.Copy, note: "copying goes on in the next step");
            }
        }
        return StepOutcome.Continue(Steps.Finish, note: $"{import.Files.Count} files copied and verified");
    }

    /// <summary>The file's upload: the one the import opened (resumed, or finished) or, the first time or after it expired, a new one.</summary>
    private async Task<(ModelImport Import, UploadSession Session)> UploadOfAsync(ModelImport import, ImportFile file, Core.Identity.Caller caller, CancellationToken cancellationToken)
    {
        if (import.FindFile(file.Path)!.UploadId is { } id)
        {
            try
            {
                return (import, (await uploads.GetAsync(caller, import.Asset, import.Version!, id, cancellationToken)).Session);
            }
            catch (NotFoundException)
            {
                // Expired or swept: a new upload starts below (the same declaration finds an open one).
            }
        }
        var request = new UploadRequest(file.Path, file.Size, file.Sha256, null) { Origin = UploadOrigin.Import };
        var started = await uploads.StartAsync(caller, import.Asset, import.Version!, request, cancellationToken);
        import = await ChangeFileAsync(import.Id, file.Path, f =>
        {
            f.UploadId = started.Session.Id;
            f.State = ImportFileState.Copying;
        }, cancellationToken);
        return (import, started.Session);
    }

    /// <summary>
    /// Stages the chunks the upload lacks, reading the file from the first missing chunk to the end
    /// (one <c>Range</c> request per run of missing chunks). False when the step's time ran out first.
    /// </summary>
    private async Task<bool> StageMissingAsync(ModelImport import, ImportFile file, UploadSession session, IReadOnlyList<int> received, string? token,
        DateTimeOffset deadline, CancelCheck cancelCheck, CancellationToken cancellationToken)
    {
        var staged = session.Staged;
        var have = received.ToHashSet();
        var next = FirstMissing(have, 0, staged.ChunkCount);
        while (next < staged.ChunkCount)
        {
            var offset = staged.OffsetOf(next);
            await using var download = await hub.OpenFileAsync(import.RepoId, import.Commit, file.Path, offset, token, cancellationToken);
            CheckDownload(import, file, download);
            for (; next < staged.ChunkCount && !have.Contains(next); next++)
            {
                var length = staged.LengthOf(next);
                await blobs.StageBlockAsync(session.StagingKey, BlockIds.For(next), new ExactLengthStream(download.Content, length, file.Path), length, null, cancellationToken);
                have.Add(next);
                await cancelCheck.ThrowIfCancelledAsync(cancellationToken);
                if (clock.GetUtcNow() >= deadline && have.Count < staged.ChunkCount)
                {
                    return false;
                }
            }
            next = FirstMissing(have, next, staged.ChunkCount);
        }
        return true;
    }

    private static int FirstMissing(HashSet<int> have, int from, int count)
    {
        while (from < count && have.Contains(from)) from++;
        return from;
    }

    /// <summary>The Hub must serve the commit and the file the import listed; a mirror that serves something else is not copied from.</summary>
    private static void CheckDownload(ModelImport import, ImportFile file, HuggingFaceDownload download)
    {
        if (download.Commit is { Length: > 0 } commit && !string.Equals(commit, import.Commit, StringComparison.OrdinalIgnoreCase))
        {
            throw new PermanentStepException($"{file.Path}: the Hub served it from commit {commit}, not from the import's commit {import.Commit}.");
        }
        var expected = file.Sha256 ?? file.BlobId;
        if (download.ETag is { Length: > 0 } etag && expected is not null && (etag.Length is 40 or 64) && !string.Equals(etag, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new PermanentStepException($"{file.Path}: the Hub's ETag is {etag} but the repository listed {expected}; the file changed or the mirror serves another one.");
        }
        if (download.TotalSize != file.Size)
        {
            throw new PermanentStepException($"{file.Path}: the Hub served {download.TotalSize} bytes but the repository listed {file.Size}.");
        }
    }

    /// <summary>A regular (non-LFS) file's bytes must hash to the git blob id the Hub listed, as git itself checks.</summary>
    private async Task CheckGitBlobAsync(ModelImport import, ImportFile file, CancellationToken cancellationToken)
    {
        if (file.Sha256 is not null || file.BlobId is not { Length: 40 } blobId)
        {
            return;
        }
        var content = await blobs.OpenReadAsync(BlobKeys.ForFile(import.Asset, import.Version!, file.Path), cancellationToken);
        await using var stream = content.Content;
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha1.AppendData(Encoding.ASCII.GetBytes($"blob {content.Length}\0"));
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha1.AppendData(buffer, 0, read);
        }
        var actual = Convert.ToHexStringLower(sha1.GetHashAndReset());
        if (!string.Equals(actual, blobId, StringComparison.OrdinalIgnoreCase))
        {
            throw new PermanentStepException($"{file.Path}: its bytes hash to git blob {actual} but the Hub listed {blobId}; the file was corrupted on the way.");
        }
    }

    // ---- finish and take back ------------------------------------------------------------------

    private async Task<StepOutcome> FinishAsync(ModelImport import, CancellationToken cancellationToken)
    {
        var version = await versionStore.FindAsync(import.Asset, import.Version!, cancellationToken)
            ?? throw new PermanentStepException($"Version '{import.Version}' of model '{import.Model}' was deleted while its files were imported.");
        var missing = import.Files.Select(f => f.Path).Where(p => version.FindFile(p) is null).ToList();
        if (missing.Count > 0 || version.Status != VersionStatus.Ready)
        {
            throw new PermanentStepException($"Version '{version.Label}' of model '{import.Model}' lacks {string.Join(", ", missing.Take(5))} after the copy ({EnumNames<VersionStatus>.NameOf(version.Status)}).");
        }
        string? notice = null;
        if (import.ModelCreated && import.ModelSpec.Visibility == ModelVisibility.Public
            && await models.FindAsync(import.Model, cancellationToken) is { Visibility: ModelVisibility.Private })
        {
            var write = await catalog.UpdateAsync(HuggingFaceImports.CallerOf(import), import.Model,
                new ModelInput { Visibility = ModelVisibility.Public }, ModelCatalog.AnyETag, cancellationToken);
            notice = write.IsPending
                ? $"The model was submitted for review to become public (submission {write.Submission!.Id}); it stays private until a reviewer approves it."
                : "The model was published.";
        }
        var succeeded = await ChangeAsync(import.Id, i =>
        {
            i.State = ImportState.Succeeded;
            i.Notice = notice;
            i.FinishedAt = clock.GetUtcNow();
        }, cancellationToken);
        await RaiseEndedAsync(succeeded, cancellationToken);
        LogSucceeded(logger, import.Id, import.Model, import.Version!, import.Files.Count, import.TotalBytes);
        return StepOutcome.Complete(note: $"{import.Model} {import.Version} ready");
    }

    /// <summary>Undoes what a failed or cancelled import added: its open upload, its version, and the model when it registered it.</summary>
    private async Task<StepOutcome> TakeBackAsync(ModelImport import, CancellationToken cancellationToken)
    {
        var caller = HuggingFaceImports.CallerOf(import);
        if (import.Version is { } label)
        {
            foreach (var file in import.Files.Where(f => f.UploadId is not null && f.State != ImportFileState.Done))
            {
                try
                {
                    await uploads.AbortAsync(caller, import.Asset, label, file.UploadId!, cancellationToken);
                }
                catch (ConflictException)
                {
                    // Being verified right now: wait for the verification to end, then abort.
                    return StepOutcome.After(PollDelay, Steps.TakeBack, note: $"{file.Path}: waiting for its verification to end");
                }
                catch (HubException ex) when (ex is NotFoundException or ForbiddenException)
                {
                }
            }
            if (import.VersionCreated && await versionStore.FindAsync(import.Asset, label, cancellationToken) is { } version && IsOurs(import, version))
            {
                await versions.DiscardAsync(version, cancellationToken);
                if (await versionStore.FindAsync(import.Asset, label, cancellationToken) is not null)
                {
                    return StepOutcome.After(PollDelay, Steps.TakeBack, note: "the version changed while it was taken back; again");
                }
            }
        }
        if (import.ModelCreated && await models.FindAsync(import.Model, cancellationToken) is { } model
            && (await versionStore.ListAsync(import.Asset, cancellationToken)).Count == 0)
        {
            try
            {
                await catalog.DeleteAsync(caller, model.Name, ModelCatalog.AnyETag, cancellationToken);
            }
            catch (NotFoundException)
            {
            }
        }
        var outcome = import.CancelRequested ? ImportState.Cancelled : ImportState.Failed;
        var ended = await ChangeAsync(import.Id, i =>
        {
            i.State = outcome;
            i.FinishedAt = clock.GetUtcNow();
        }, cancellationToken);
        await RaiseEndedAsync(ended, cancellationToken);
        LogEnded(logger, import.Id, EnumNames<ImportState>.NameOf(outcome), import.Error);
        return StepOutcome.Complete(note: outcome == ImportState.Cancelled ? "cancelled; nothing kept" : $"failed; nothing kept: {import.Error}");
    }

    // ---- helpers -------------------------------------------------------------------------------

    /// <summary><c>import.succeeded</c>, <c>.failed</c> or <c>.cancelled</c>, to the webhooks of the model's owner (and the administrators').</summary>
    private async Task RaiseEndedAsync(ModelImport import, CancellationToken cancellationToken)
    {
        var owner = (await models.FindAsync(import.Model, cancellationToken))?.Owner;
        await events.RaiseAsync(EventPayloads.Import(import, owner, clock.GetUtcNow()), cancellationToken);
    }

    /// <summary>
    /// Whether the import fails now rather than being retried: a refusal that retrying cannot change
    /// (the Hub's verdict, a failed verification, a rule of the hub), or any failure on the step's last try.
    /// </summary>
    private bool IsFinal(Exception ex, WorkflowInstance instance, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        var transient = ex switch
        {
            PermanentStepException => false,
            HuggingFaceException hf => hf.IsTransient,
            ServiceBusyException or PreconditionFailedException => true,
            HubException => false,
            _ => true,
        };
        return !transient || instance.Attempt + 1 >= workflowOptions.Value.MaxAttempts;
    }

    /// <summary>Read-modify-write of the import with its ETag (a cancellation may be written meanwhile).</summary>
    internal async Task<ModelImport> ChangeAsync(string id, Action<ModelImport> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.FindAsync(id, cancellationToken) ?? throw new PermanentStepException($"Import '{id}' is gone.");
            var next = current.Clone();
            change(next);
            next.UpdatedAt = clock.GetUtcNow();
            try
            {
                return await store.ReplaceAsync(next, current.ETag!, cancellationToken);
            }
            catch (PreconditionFailedException) when (attempt < 10)
            {
            }
        }
    }

    private Task<ModelImport> ChangeFileAsync(string id, string path, Action<ImportFile> change, CancellationToken cancellationToken) =>
        ChangeAsync(id, i => change(i.FindFile(path)!), cancellationToken);

    private sealed class ImportCancelledException : Exception;

    /// <summary>Looks at the import at most once a second while chunks are copied.</summary>
    private sealed class CancelCheck(IModelImportStore store, string id, TimeProvider clock)
    {
        private DateTimeOffset _next = clock.GetUtcNow() + CancelCheckInterval;

        public async Task ThrowIfCancelledAsync(CancellationToken cancellationToken, bool force = false)
        {
            var now = clock.GetUtcNow();
            if (!force && now < _next)
            {
                return;
            }
            _next = now + CancelCheckInterval;
            if (await store.FindAsync(id, cancellationToken) is not { CancelRequested: false })
            {
                throw new ImportCancelledException();
            }
        }
    }

    /// <summary>Exactly <paramref name="length"/> bytes of the download, for one chunk; an answer that ends early is a transport failure (retried).</summary>
    private sealed class ExactLengthStream(Stream inner, long length, string path) : ForwardReadStream
    {
        private long _remaining = length;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_remaining == 0)
            {
                return 0;
            }
            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
            if (read == 0)
            {
                throw new IOException($"The Hub's answer for {path} ended {_remaining} bytes before the chunk did.");
            }
            _remaining -= read;
            return read;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {Import}: registered model {Model}")]
    private static partial void LogModelRegistered(ILogger logger, string import, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {Import}: version {Label} of model {Model} added, awaiting {Files} files")]
    private static partial void LogVersionAdded(ILogger logger, string import, string model, string label, int files);

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {Import}: {Path} ({Size} bytes) copied and verified, SHA-256 {Sha256}")]
    private static partial void LogFileCopied(ILogger logger, string import, string path, long size, string? sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {Import} succeeded: version {Label} of model {Model}, {Files} files, {Bytes} bytes")]
    private static partial void LogSucceeded(ILogger logger, string import, string model, string label, int files, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {Import} fails at {Step}: {Reason}")]
    private static partial void LogFailing(ILogger logger, string import, string step, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {Import} ended {State}; what it added was taken back ({Error})")]
    private static partial void LogEnded(ILogger logger, string import, string state, string? error);
}
