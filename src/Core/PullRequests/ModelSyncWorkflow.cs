using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Reviews;
using ModelsHub.Core.Specs;
using ModelsHub.Core.Upstream;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.PullRequests;

/// <summary>
/// Carries an approved submission out: applies it to the live model, then (for a Xinference model
/// that is or was public) renders the model's entries into its upstream file, commits that on
/// <c>chore/models-sync/&lt;name&gt;</c> and opens the pull request, or adds the commit to the
/// branch's open one. Each step checks what is already done, so a step run twice (after a crash
/// before its state was saved) does nothing twice.
/// </summary>
public sealed class ModelSyncWorkflow(
    ReviewBoard reviews,
    IModelStore models,
    IModelRepository repository,
    GitHubTokens tokens,
    PullRequestTracker tracker,
    IOptions<GitHubOptions> gitHub,
    IOptions<HubOptions> hub,
    TimeProvider clock) : IWorkflowDefinition
{
    public const string KindName = "model-sync";

    public static class Steps
    {
        public const string Apply = "apply";
        public const string Prepare = "prepare";
        public const string Branch = "branch";
        public const string Commit = "commit";
        public const string Open = "open";
        public const string Record = "record";

        public static IReadOnlyList<string> All { get; } = [Apply, Prepare, Branch, Commit, Open, Record];
    }

    public string Kind => KindName;

    public string FirstStep => Steps.Apply;

    public static IReadOnlyDictionary<string, string> DataFor(Submission submission) => new Dictionary<string, string>
    {
        ["submissionId"] = submission.Id,
        ["modelName"] = submission.ModelName,
        ["modelType"] = EnumNames<ModelType>.NameOf(submission.ModelType),
        ["submitter"] = submission.Submitter,
        ["revision"] = submission.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public Task<StepOutcome> RunStepAsync(WorkflowInstance instance, CancellationToken cancellationToken) => instance.Step switch
    {
        Steps.Apply => ApplyAsync(instance, cancellationToken),
        Steps.Prepare => PrepareAsync(instance, cancellationToken),
        Steps.Branch => BranchAsync(instance, cancellationToken),
        Steps.Commit => CommitAsync(instance, cancellationToken),
        Steps.Open => OpenAsync(instance, cancellationToken),
        Steps.Record => RecordAsync(instance, cancellationToken),
        _ => throw new PermanentStepException($"Unknown step '{instance.Step}'."),
    };

    private async Task<StepOutcome> ApplyAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var submission = await reviews.FindAsync(instance.Get("submissionId")!, cancellationToken)
            ?? throw new PermanentStepException($"Submission '{instance.Get("submissionId")}' does not exist.");
        switch (submission.State)
        {
            case SubmissionState.Pending:
                // The approval that started this instance sends its first message only once the decision
                // is stored; seeing none now (the sweeper sent it) means storing it failed. A later approval
                // starts an instance of its own, so this one ends without effect.
                return StepOutcome.Complete(note: "The approval that started this workflow was not recorded; nothing applied.");
            case SubmissionState.Rejected or SubmissionState.Superseded:
                return StepOutcome.Complete(note: $"Submission was {EnumNames<SubmissionState>.NameOf(submission.State)}; nothing to apply.");
            case SubmissionState.Approved when submission.WorkflowId != instance.Id:
                return StepOutcome.Complete(note: $"The approval was recorded with workflow {submission.WorkflowId}, which carries it out; nothing applied here.");
        }
        var applied = await reviews.ApplyAsync(submission, cancellationToken);
        var note = applied ? "Change applied to the live model." : "The live model already holds the change.";
        if (!ReviewBoard.TouchesUpstream(submission))
        {
            return StepOutcome.Complete(note: note + " No upstream file to change.");
        }
        if (submission.Kind == ChangeKind.Expire && submission.Proposed?.ExpiresAt is { } expiresAt && expiresAt > clock.GetUtcNow())
        {
            // An expiry reaches the model repository when it takes effect: the entry leaves the file then.
            return StepOutcome.After(expiresAt - clock.GetUtcNow(), Steps.Prepare, note: note + $" Waiting until the expiry at {expiresAt:O}.");
        }
        return StepOutcome.Continue(Steps.Prepare, note: note);
    }

    /// <summary>Chooses the token and the repository to push to: the target itself, or the token owner's fork.</summary>
    private async Task<StepOutcome> PrepareAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var (token, source) = await TokenAsync(instance, cancellationToken);
        var target = gitHub.Value.Target;
        var head = await repository.CanPushAsync(token, target, cancellationToken) ? target : await repository.ForkAsync(token, target, cancellationToken);
        return StepOutcome.Continue(Steps.Branch, new Dictionary<string, string>
        {
            ["tokenSource"] = source,
            ["headRepository"] = head.ToString(),
            ["branch"] = PullRequestNaming.Branch(instance.Get("modelName")!),
        }, note: head == target ? $"Pushing to {target} with the {Describe(source)}." : $"The {Describe(source)} cannot push to {target}; using the fork {head}.");
    }

    private async Task<StepOutcome> BranchAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var (token, _) = await TokenAsync(instance, cancellationToken);
        var head = Head(instance);
        var branch = instance.Get("branch")!;
        var target = gitHub.Value.Target;
        var existing = await repository.GetBranchHeadAsync(token, head, branch, cancellationToken);
        if (existing is not null
            && await repository.FindOpenPullRequestAsync(token, target, head.Owner, branch, gitHub.Value.BaseBranch, cancellationToken) is not null)
        {
            // A later revision goes on the open pull request's branch.
            return StepOutcome.Continue(Steps.Commit, note: $"Branch {branch} exists with an open pull request.");
        }
        var baseSha = await repository.GetBranchHeadAsync(token, target, gitHub.Value.BaseBranch, cancellationToken)
            ?? throw new PermanentStepException($"The base branch '{gitHub.Value.BaseBranch}' does not exist in {target} (setting {GitHubOptions.Section}:BaseBranch).");
        if (existing is not null)
        {
            // No open pull request uses the branch (its last one was merged or closed, or none was opened):
            // its copy of the file is stale, so the new pull request starts from the current base.
            if (existing != baseSha)
            {
                await repository.ResetBranchAsync(token, head, branch, baseSha, cancellationToken);
            }
            return StepOutcome.Continue(Steps.Commit, new Dictionary<string, string> { ["baseSha"] = baseSha },
                $"Branch {branch} had no open pull request; reset to {baseSha[..Math.Min(7, baseSha.Length)]}.");
        }
        try
        {
            await repository.CreateBranchAsync(token, head, branch, baseSha, cancellationToken);
        }
        catch (ConflictException)
        {
            // Created by an earlier run of this step, or by a concurrent workflow of the same model.
        }
        return StepOutcome.Continue(Steps.Commit, new Dictionary<string, string> { ["baseSha"] = baseSha }, $"Branch {branch} created at {baseSha[..Math.Min(7, baseSha.Length)]}.");
    }

    private async Task<StepOutcome> CommitAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var (token, _) = await TokenAsync(instance, cancellationToken);
        var head = Head(instance);
        var branch = instance.Get("branch")!;
        var name = instance.Get("modelName")!;
        var path = UpstreamCatalog.FilePaths[Type(instance)];
        var parent = await repository.GetBranchHeadAsync(token, head, branch, cancellationToken)
            ?? throw new InvalidOperationException($"Branch {branch} is missing in {head}.");
        var file = await repository.GetFileAsync(token, head, path, parent, cancellationToken) ?? "[]\n";
        var entries = await DesiredEntriesAsync(name, cancellationToken);
        string rendered;
        try
        {
            rendered = UpstreamFileRenderer.Render(file, name, entries);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new PermanentStepException($"{path} on {branch} is not a JSON array of entries: {ex.Message}");
        }
        if (rendered == file)
        {
            return StepOutcome.Continue(Steps.Open, note: $"{path} on {branch} already holds this change.");
        }
        var message = PullRequestNaming.Title(name);
        var sha = await repository.CommitFileAsync(token, head, new FileCommit(branch, path, rendered, message, parent), cancellationToken);
        return StepOutcome.Continue(Steps.Open, new Dictionary<string, string> { ["commitSha"] = sha }, $"Committed {path} as {sha[..Math.Min(7, sha.Length)]}.");
    }

    private async Task<StepOutcome> OpenAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var (token, _) = await TokenAsync(instance, cancellationToken);
        var target = gitHub.Value.Target;
        var head = Head(instance);
        var branch = instance.Get("branch")!;
        var baseBranch = gitHub.Value.BaseBranch;
        var existing = await repository.FindOpenPullRequestAsync(token, target, head.Owner, branch, baseBranch, cancellationToken);
        if (existing is null)
        {
            var branchHead = await repository.GetBranchHeadAsync(token, head, branch, cancellationToken);
            var baseHead = await repository.GetBranchHeadAsync(token, target, baseBranch, cancellationToken);
            if (branchHead is not null && (branchHead == baseHead || branchHead == instance.Get("baseSha")))
            {
                return StepOutcome.Complete(note: "The model repository already holds this model as it is; no pull request needed.");
            }
            try
            {
                existing = await repository.OpenPullRequestAsync(token, target, head.Owner, branch, baseBranch,
                    PullRequestNaming.Title(instance.Get("modelName")!), Body(instance), cancellationToken);
            }
            catch (ConflictException)
            {
                existing = await repository.FindOpenPullRequestAsync(token, target, head.Owner, branch, baseBranch, cancellationToken)
                    ?? throw new InvalidOperationException("GitHub said the pull request exists but it was not found.");
            }
        }
        return StepOutcome.Continue(Steps.Record, new Dictionary<string, string>
        {
            ["pullRequestNumber"] = existing.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["pullRequestUrl"] = existing.Url,
        }, $"Pull request #{existing.Number} is open: {existing.Url}");
    }

    private async Task<StepOutcome> RecordAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var pullRequest = new ModelPullRequest(
            int.Parse(instance.Get("pullRequestNumber")!, System.Globalization.CultureInfo.InvariantCulture),
            instance.Get("pullRequestUrl")!,
            PullRequestState.Open,
            gitHub.Value.Target.ToString(),
            instance.Get("branch")!,
            instance.Get("submissionId"),
            clock.GetUtcNow());
        await tracker.RecordAsync(instance.Get("modelName")!, pullRequest, cancellationToken);
        await reviews.SetPullRequestAsync(instance.Get("submissionId")!, pullRequest, cancellationToken);
        return StepOutcome.Complete(note: $"Model shows pull request #{pullRequest.Number}.");
    }

    /// <summary>What the file should hold for the model now: its entries while it is public and listed, none otherwise.</summary>
    private async Task<IReadOnlyList<JsonElement>> DesiredEntriesAsync(string name, CancellationToken cancellationToken)
    {
        var model = await models.FindAsync(name, cancellationToken);
        if (model is null || model.Visibility != ModelVisibility.Public || !model.IsListed(clock.GetUtcNow()) || model.Spec is null)
        {
            return [];
        }
        return XinferenceSpec.Entries(model.Spec).ToList();
    }

    private async Task<(string Token, string Source)> TokenAsync(WorkflowInstance instance, CancellationToken cancellationToken) =>
        await tokens.ResolveAsync(instance.Get("submitter"), cancellationToken)
        ?? throw new PermanentStepException($"No GitHub token: the submitter saved none in the user center and {GitHubOptions.Section}:DefaultToken is not set.");

    private string Body(WorkflowInstance instance)
    {
        var baseUrl = hub.Value.PublicBaseUrl.TrimEnd('/');
        var name = instance.Get("modelName")!;
        return $"""
            Synchronizes the model `{name}` from ModelsHub.

            - Model: {baseUrl}/api/models/{Uri.EscapeDataString(name)}
            - Review: {baseUrl}/api/reviews/{instance.Get("submissionId")} (revision {instance.Get("revision")})

            This pull request changes only `{UpstreamCatalog.FilePaths[Type(instance)]}`, and only this model's entries.
            """;
    }

    private static RepositoryName Head(WorkflowInstance instance) =>
        RepositoryName.TryParse(instance.Get("headRepository"), out var head) ? head : throw new PermanentStepException("The workflow lost its head repository.");

    private static ModelType Type(WorkflowInstance instance) =>
        EnumNames<ModelType>.TryParse(instance.Get("modelType"), out var type) && type.IsXinference()
            ? type
            : throw new PermanentStepException($"'{instance.Get("modelType")}' models have no upstream file.");

    private static string Describe(string source) => source == "default" ? "hub's default token" : "submitter's token";
}
