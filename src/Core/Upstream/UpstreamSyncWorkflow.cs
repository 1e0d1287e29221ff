using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Sync;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.PullRequests;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Upstream;

/// <summary>
/// Carries one upstream sync run out, on the workflow runner: <c>resolve</c> pins the configured
/// ref to a commit (so every file of the run, and every retry, reads the same repository state);
/// <c>pull-requests</c> refreshes the hub's open pull requests (a merged one marks the change
/// published); <c>reconcile</c> reads the six files at the pinned commit and hands them to
/// <see cref="UpstreamImporter"/> as the complete lists of their types. Each step may run again
/// after a crash: reads are repeatable and the import is idempotent, so a repeat writes nothing
/// new (its counts then describe the repeat). A failing step is retried by the runner.
/// </summary>
public sealed class UpstreamSyncWorkflow(
    UpstreamSync sync,
    UpstreamImporter importer,
    PullRequestTracker pullRequests,
    IModelRepository repository,
    IOptions<GitHubOptions> gitHub) : IWorkflowDefinition
{
    public const string KindName = "upstream-sync";

    public static class Steps
    {
        public const string Resolve = "resolve";
        public const string PullRequests = "pull-requests";
        public const string Reconcile = "reconcile";
    }

    public string Kind => KindName;

    public string FirstStep => Steps.Resolve;

    public async Task<StepOutcome> RunStepAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var runId = instance.Get("runId") ?? throw new PermanentStepException("The workflow lost its run id.");
        var run = await sync.FindAsync(runId, cancellationToken) ?? throw new PermanentStepException($"Sync run '{runId}' does not exist.");
        if (run.Status != SyncRunStatus.Running)
        {
            // Ended meanwhile (marked failed after this workflow failed, then retried): a new run is
            // the way to sync again, so two runs never work at once.
            return StepOutcome.Complete(note: $"Run {runId} already ended ({EnumNames<SyncRunStatus>.NameOf(run.Status)}); start a new sync instead.");
        }
        return instance.Step switch
        {
            Steps.Resolve => await ResolveAsync(run, cancellationToken),
            Steps.PullRequests => await RefreshPullRequestsAsync(run, cancellationToken),
            Steps.Reconcile => await ReconcileAsync(run, cancellationToken),
            _ => throw new PermanentStepException($"Unknown step '{instance.Step}'."),
        };
    }

    private string? Token => string.IsNullOrEmpty(gitHub.Value.DefaultToken) ? null : gitHub.Value.DefaultToken;

    private async Task<StepOutcome> ResolveAsync(SyncRun run, CancellationToken cancellationToken)
    {
        var target = RepositoryOf(run);
        // A branch resolves to its head; anything else (a tag, a commit) is read as given.
        var commit = await repository.GetBranchHeadAsync(Token, target, run.Ref, cancellationToken) ?? run.Ref;
        await sync.RecordAsync(run.Id, r =>
        {
            if (r.Commit == commit) return false;
            r.Commit = commit;
            return true;
        }, cancellationToken);
        return StepOutcome.Continue(Steps.PullRequests, note: $"{target}@{run.Ref} is {commit}.");
    }

    private async Task<StepOutcome> RefreshPullRequestsAsync(SyncRun run, CancellationToken cancellationToken)
    {
        var result = await pullRequests.RefreshOpenAsync(cancellationToken);
        await sync.RecordAsync(run.Id, r =>
        {
            r.PullRequests = new PullRequestCounts(result.Checked, result.Merged, result.Closed, result.Errors.Count);
            // This step comes before the files are read: its errors are the run's first.
            r.Errors = [.. result.Errors.Take(SyncRun.MaxErrors).Select(e => new SyncError(null, e.Model, "Pull request: " + e.Reason))];
            return true;
        }, cancellationToken);
        return StepOutcome.Continue(Steps.Reconcile, note: $"{result.Checked} open pull requests checked: {result.Merged} merged, {result.Closed} closed, {result.Errors.Count} errors.");
    }

    private async Task<StepOutcome> ReconcileAsync(SyncRun run, CancellationToken cancellationToken)
    {
        var target = RepositoryOf(run);
        var commit = run.Commit ?? run.Ref;
        var files = new Dictionary<ModelType, JsonElement>();
        var fileErrors = new List<SyncError>();
        foreach (var (type, path) in UpstreamCatalog.FilePaths)
        {
            var typeName = EnumNames<ModelType>.NameOf(type);
            var text = await repository.GetFileAsync(Token, target, path, commit, cancellationToken);
            if (text is null)
            {
                fileErrors.Add(new SyncError(typeName, null, $"{path} does not exist at {commit}; its models were left as they are."));
                continue;
            }
            try
            {
                using var document = JsonDocument.Parse(text);
                var file = document.RootElement.Clone();
                // Grouping fails on an entry without a model_name, before anything is written: such a
                // file is reported and left out, and the other files still sync.
                UpstreamCatalog.GroupByModel(file);
                files[type] = file;
            }
            catch (Exception ex) when (ex is JsonException or ValidationException)
            {
                var reason = ex is ValidationException v ? string.Join("; ", v.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) : ex.Message;
                fileErrors.Add(new SyncError(typeName, null, $"{path} at {commit} is not a JSON array of entries ({reason}); its models were left as they are."));
            }
        }
        if (files.Count == 0)
        {
            var reason = $"None of the six model files could be read at {target}@{commit}: " + string.Join(" ", fileErrors.Select(e => e.Reason));
            await sync.FailAsync(run.Id, reason, cancellationToken);
            return StepOutcome.Complete(note: reason);
        }

        var result = await importer.ImportAsync(files, UpstreamImportMode.Mirror, cancellationToken);
        var finished = await sync.RecordAsync(run.Id, r =>
        {
            var modelErrors = result.Errors.Select(e => new SyncError(EnumNames<ModelType>.NameOf(e.Type), e.ModelName, e.Reason));
            var pullRequestErrors = r.Errors.Where(e => e.Type is null);
            r.Errors = [.. fileErrors.Concat(modelErrors).Concat(pullRequestErrors).Take(SyncRun.MaxErrors)];
            r.Entries = result.Entries;
            r.Counts = new SyncCounts(result.Added, result.Updated, result.Unchanged, result.Removed, result.UnderReview, fileErrors.Count + result.Errors.Count);
            sync.Finish(r, SyncRunStatus.Succeeded);
            return true;
        }, cancellationToken);
        var c = finished.Counts;
        return StepOutcome.Complete(note: $"{finished.Entries} entries: {c.Added} added, {c.Updated} updated, {c.Unchanged} unchanged, {c.Removed} removed, {c.UnderReview} under review, {c.Errors} errors.");
    }

    private static RepositoryName RepositoryOf(SyncRun run) =>
        RepositoryName.TryParse(run.Repository, out var name) ? name : throw new PermanentStepException($"'{run.Repository}' is not owner/name.");
}
