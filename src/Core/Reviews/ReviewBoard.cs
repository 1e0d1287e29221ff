using Microsoft.Extensions.Logging;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Events;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Identity;
using ModelsHub.Core.PullRequests;
using ModelsHub.Core.Specs;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Reviews;

/// <summary>
/// The review workflow of seeds 000–002: proposals that need review wait as pending submissions;
/// reviewers approve or reject them with feedback; a revision supersedes a pending submission.
/// An approval (or a change applied at once because its submitter held the permission) starts
/// the <see cref="ModelSyncWorkflow"/>, which applies it and carries it to the model repository.
/// </summary>
public sealed partial class ReviewBoard(ISubmissionStore submissions, IModelStore models, ModelChangeNotifier notifier, WorkflowStarter workflows,
    HubEvents events, TimeProvider clock, ILogger<ReviewBoard> logger)
{
    public const int MaxFeedbackLength = 4_000;

    /// <summary>Records a proposal that needs review; a pending submission of the same model becomes superseded.</summary>
    public async Task<Submission> SubmitAsync(Caller caller, ChangeKind kind, HubModel? before, HubModel? proposed, CancellationToken cancellationToken)
    {
        var submission = await CreateAsync(caller, kind, before, proposed, autoApproved: false, cancellationToken);
        LogSubmitted(logger, submission.ModelName, submission.Revision, caller.UserId);
        await events.RaiseAsync(EventPayloads.Review(WebhookEventTypes.ReviewSubmitted, submission, before?.Owner, caller.UserId, clock.GetUtcNow()), cancellationToken);
        return submission;
    }

    /// <summary>
    /// Records a change the submitter was allowed to make at once (already applied), when it
    /// touches a public model, and starts carrying it upstream. Returns null for private-only changes.
    /// </summary>
    public async Task<Submission?> RecordAppliedAsync(Caller caller, ChangeKind kind, HubModel? before, HubModel? after, CancellationToken cancellationToken)
    {
        if (before?.Visibility != ModelVisibility.Public && after?.Visibility != ModelVisibility.Public)
        {
            return null;
        }
        var submission = await CreateAsync(caller, kind, before, after, autoApproved: true, cancellationToken);
        await workflows.StartAsync(ModelSyncWorkflow.KindName, ModelSyncWorkflow.Steps.Apply, submission.WorkflowId!, ModelSyncWorkflow.DataFor(submission), caller.UserId, cancellationToken);
        return submission;
    }

    /// <summary>Approves or rejects a pending submission.</summary>
    public async Task<Submission> DecideAsync(Caller caller, string id, bool approve, string? feedback, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to decide reviews.");
        }
        if (!caller.Has(Permissions.DecideReviews))
        {
            throw new ForbiddenException($"Deciding reviews needs the '{Permissions.DecideReviews}' permission.");
        }
        feedback = string.IsNullOrWhiteSpace(feedback) ? null : feedback.Trim();
        if (!approve && feedback is null)
        {
            throw new ValidationException("feedback", "Say why the submission is rejected, so the submitter can revise it.");
        }
        if (feedback?.Length > MaxFeedbackLength)
        {
            throw new ValidationException("feedback", $"Must be at most {MaxFeedbackLength} characters.");
        }
        if (feedback is not null && TextRules.HasControlCharacters(feedback))
        {
            throw new ValidationException("feedback", TextRules.ControlCharactersMessage);
        }
        var submission = await submissions.FindAsync(id, cancellationToken) ?? throw new NotFoundException("Submission", id);
        if (approve && caller.IsUser(submission.Submitter))
        {
            throw new ForbiddenException("A reviewer cannot approve their own submission; another reviewer must.");
        }
        var newer = (await submissions.ListForModelAsync(submission.ModelName, cancellationToken)).LastOrDefault(s => s.Revision > submission.Revision);
        if (newer is not null || submission.State == SubmissionState.Superseded)
        {
            throw new ConflictException($"Submission '{id}' is stale: revision {newer?.Revision} ({newer?.Id ?? submission.SupersededBy}) replaced it; decide that one.");
        }
        if (submission.State != SubmissionState.Pending)
        {
            throw new ConflictException($"Submission '{id}' was already {EnumNames<SubmissionState>.NameOf(submission.State)} by {submission.DecidedBy}.");
        }
        var next = submission.Clone();
        if (approve)
        {
            await EnsureApplicableAsync(submission, cancellationToken);
            // The workflow exists before the decision is written, so a crash in between leaves a
            // workflow (the sweeper sends it) rather than an approval that nothing carries out. Its
            // first message goes once the decision is stored. Each approval attempt starts its own
            // instance, named on the decision: when the decision is not stored, the instance finds
            // no approval naming it and ends without effect, and a later approval is not handed
            // that finished instance back.
            next.WorkflowId = $"sync-{submission.Id}-{Guid.NewGuid().ToString("N")[..8]}";
            await workflows.StartAsync(ModelSyncWorkflow.KindName, ModelSyncWorkflow.Steps.Apply, next.WorkflowId, ModelSyncWorkflow.DataFor(submission),
                caller.UserId, cancellationToken, send: false);
        }
        next.State = approve ? SubmissionState.Approved : SubmissionState.Rejected;
        next.DecidedBy = caller.UserId;
        next.DecidedAt = clock.GetUtcNow();
        next.Feedback = feedback;
        try
        {
            var saved = await submissions.ReplaceAsync(next, submission.ETag!, cancellationToken);
            LogDecided(logger, saved.ModelName, saved.Revision, saved.State, caller.UserId);
            if (approve)
            {
                await workflows.SendAsync(saved.WorkflowId!, cancellationToken);
            }
            var owner = (await models.FindAsync(saved.ModelName, cancellationToken))?.Owner;
            await events.RaiseAsync(EventPayloads.Review(WebhookEventTypes.ReviewDecided, saved, owner, caller.UserId, clock.GetUtcNow()), cancellationToken);
            return saved;
        }
        catch (PreconditionFailedException)
        {
            throw new ConflictException($"Submission '{id}' was decided or revised by someone else meanwhile; read it again.");
        }
    }

    /// <summary>A submission, for reviewers, its submitter and the model's owner; 404 for anyone else.</summary>
    public async Task<Submission> GetAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var submission = await submissions.FindAsync(id, cancellationToken);
        if (submission is null || !await MaySeeAsync(caller, submission, cancellationToken))
        {
            throw new NotFoundException("Submission", id);
        }
        return submission;
    }

    /// <summary>The reviewers' queue.</summary>
    public Task<Page<Submission>> QueueAsync(Caller caller, SubmissionQuery query, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to see the review queue.");
        }
        if (!IsReviewer(caller))
        {
            throw new ForbiddenException($"The review queue needs the '{Permissions.ListReviews}' permission.");
        }
        return submissions.QueryAsync(query, cancellationToken);
    }

    /// <summary>The model's submissions the caller may see (its review status and decision history), oldest first.</summary>
    public async Task<IReadOnlyList<Submission>> ForModelAsync(Caller caller, string modelName, CancellationToken cancellationToken)
    {
        var all = await submissions.ListForModelAsync(modelName, cancellationToken);
        var visible = new List<Submission>();
        foreach (var submission in all)
        {
            if (await MaySeeAsync(caller, submission, cancellationToken))
            {
                visible.Add(submission);
            }
        }
        return visible;
    }

    /// <summary>Loads a submission for the workflow (no permission check).</summary>
    public Task<Submission?> FindAsync(string id, CancellationToken cancellationToken) => submissions.FindAsync(id, cancellationToken);

    /// <summary>
    /// The registration waiting for review under <paramref name="modelName"/> (any letter case), if any: it
    /// holds the name for everyone, or its approval could never be applied.
    /// </summary>
    public async Task<Submission?> FindPendingRegistrationAsync(string modelName, CancellationToken cancellationToken) =>
        (await submissions.ListForModelAsync(modelName, cancellationToken)).LastOrDefault(s => s is { State: SubmissionState.Pending, Kind: ChangeKind.Register });

    /// <summary>Notes the pull request on the submission.</summary>
    public Task SetPullRequestAsync(string id, ModelPullRequest pullRequest, CancellationToken cancellationToken) =>
        MutateAsync(id, s =>
        {
            if (s.PullRequest == pullRequest) return false;
            s.PullRequest = pullRequest;
            return true;
        }, cancellationToken);

    /// <summary>
    /// Brings the submissions of the model that <paramref name="fresh"/> carried (every approved
    /// revision added to its branch) up to its state; once it is merged, they are published.
    /// Idempotent.
    /// </summary>
    public async Task UpdatePullRequestAsync(string modelName, ModelPullRequest fresh, CancellationToken cancellationToken)
    {
        var merged = fresh.State == PullRequestState.Merged;
        foreach (var submission in await submissions.ListForModelAsync(modelName, cancellationToken))
        {
            if (submission.PullRequest?.Number != fresh.Number || submission.PullRequest.Repository != fresh.Repository)
            {
                continue;
            }
            var published = false;
            await MutateAsync(submission.Id, s =>
            {
                var current = s.PullRequest!;
                if (current.State == fresh.State && current.Url == fresh.Url && (!merged || s.PublishedAt is not null))
                {
                    return false;
                }
                s.PullRequest = current with { State = fresh.State, Url = fresh.Url, UpdatedAt = fresh.UpdatedAt, PublishedAt = fresh.PublishedAt };
                if (merged && s.PublishedAt is null)
                {
                    s.PublishedAt = fresh.PublishedAt ?? clock.GetUtcNow();
                    published = true;
                }
                return true;
            }, cancellationToken);
            if (published)
            {
                LogPublished(logger, modelName, submission.Revision, fresh.Number);
            }
        }
    }

    /// <summary>
    /// Whether the hub holds a change to the model that the upstream sync must not undo, judged from
    /// the model's submissions (oldest revision first) and the live model: the latest submission
    /// waits for review; or it is approved but not yet applied to <paramref name="live"/>; or it is
    /// an applied delete whose pull request is not merged or closed yet (until then the repository
    /// still lists the model, and importing it again would revert the delete).
    /// </summary>
    public static bool HoldsUnpublishedChange(IReadOnlyList<Submission> history, HubModel? live)
    {
        if (history.Count == 0)
        {
            return false;
        }
        var latest = history[^1];
        return latest.State switch
        {
            SubmissionState.Pending => true,
            SubmissionState.Approved when !latest.AutoApproved && Matches(live, latest.Before) && !Matches(live, latest.Proposed) => true,
            SubmissionState.Approved when latest.Kind == ChangeKind.Delete && live is null => latest.PullRequest?.State is null or PullRequestState.Open,
            _ => false,
        };
    }

    /// <summary>
    /// Makes the live model what the approved submission proposes. Idempotent: a model that already
    /// matches the proposal is left alone. Throws <see cref="PermanentStepException"/> when the
    /// model moved on in a way the proposal was not based on.
    /// </summary>
    public async Task<bool> ApplyAsync(Submission submission, CancellationToken cancellationToken)
    {
        if (submission.AutoApproved)
        {
            // Applied by the request that recorded it.
            return false;
        }
        for (var attempt = 0; ; attempt++)
        {
            var current = await models.FindAsync(submission.ModelName, cancellationToken);
            if (Matches(current, submission.Proposed))
            {
                return false;
            }
            if (!Matches(current, submission.Before))
            {
                throw new PermanentStepException($"Model '{submission.ModelName}' changed after revision {submission.Revision} was proposed; the submitter must revise it.");
            }
            var now = clock.GetUtcNow();
            try
            {
                HubModel? after = null;
                if (submission.Proposed is null)
                {
                    await models.DeleteAsync(current!.Name, current.ETag, cancellationToken);
                }
                else if (current is null)
                {
                    var model = new HubModel { Id = submission.Proposed.Id, Name = submission.Proposed.Name, Owner = submission.Proposed.Owner, CreatedAt = now };
                    after = await models.CreateAsync(WithProposal(model, submission.Proposed, now), cancellationToken);
                }
                else
                {
                    // Only what a submission proposes changes; the rest of the live model (its default
                    // version and pin, pull request, upstream removal) is not the submitter's to reset.
                    after = await models.ReplaceAsync(WithProposal(current.Clone(), submission.Proposed, now), current.ETag!, cancellationToken);
                }
                LogApplied(logger, submission.ModelName, submission.Revision);
                await notifier.NotifyAsync(new ModelChange(submission.ModelName, current, after, submission.DecidedBy ?? submission.Submitter), cancellationToken);
                return true;
            }
            catch (HubException ex) when (attempt < 5 && ex is PreconditionFailedException or ConflictException)
            {
            }
        }
    }

    /// <summary>Whether an approved change reaches the model repository: a Xinference model that is or was public.</summary>
    public static bool TouchesUpstream(Submission submission) =>
        submission.ModelType.IsXinference()
        && (submission.Before?.Visibility == ModelVisibility.Public || submission.Proposed?.Visibility == ModelVisibility.Public);

    /// <summary>True when both are absent, or both hold the same user-visible content.</summary>
    public static bool Matches(HubModel? live, HubModel? snapshot)
    {
        if (live is null || snapshot is null)
        {
            return live is null && snapshot is null;
        }
        return live.Type == snapshot.Type && live.Description == snapshot.Description && live.Readme == snapshot.Readme
            && live.Tags.SequenceEqual(snapshot.Tags, StringComparer.Ordinal) && live.Framework == snapshot.Framework
            && live.Source == snapshot.Source && live.Visibility == snapshot.Visibility && live.Tier == snapshot.Tier
            && live.Owner == snapshot.Owner && live.Status == snapshot.Status && live.ExpiresAt == snapshot.ExpiresAt
            && live.Featured == snapshot.Featured && XinferenceSpec.SameJson(live.Spec, snapshot.Spec);
    }

    private static bool MayReviseOthers(Caller caller) =>
        caller.IsAdmin || caller.Has(Permissions.UpdatePublicModels) || caller.Has(Permissions.UpdateAdvancedModels);

    private static bool IsReviewer(Caller caller) => caller.Has(Permissions.ListReviews) || caller.Has(Permissions.DecideReviews) || caller.IsAdmin;

    private async Task<bool> MaySeeAsync(Caller caller, Submission submission, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            return false;
        }
        if (IsReviewer(caller) || caller.IsUser(submission.Submitter))
        {
            return true;
        }
        var model = await models.FindAsync(submission.ModelName, cancellationToken);
        return model is not null && caller.IsUser(model.Owner);
    }

    private async Task EnsureApplicableAsync(Submission submission, CancellationToken cancellationToken)
    {
        var current = await models.FindAsync(submission.ModelName, cancellationToken);
        if (!Matches(current, submission.Before) && !Matches(current, submission.Proposed))
        {
            throw new ConflictException(current is not null && submission.Before is null
                ? $"A model named '{submission.ModelName}' was registered meanwhile; this registration cannot be approved."
                : $"Model '{submission.ModelName}' changed after revision {submission.Revision} was proposed; ask the submitter to revise it.");
        }
    }

    private async Task<Submission> CreateAsync(Caller caller, ChangeKind kind, HubModel? before, HubModel? proposed, bool autoApproved, CancellationToken cancellationToken)
    {
        var submitter = caller.UserId ?? throw new AuthenticationRequiredException();
        var model = proposed ?? before ?? throw new ArgumentException("A submission needs the model before or after the change.");
        for (var attempt = 0; ; attempt++)
        {
            var existing = await submissions.ListForModelAsync(model.Name, cancellationToken);
            if (!autoApproved && !MayReviseOthers(caller)
                && existing.FirstOrDefault(s => s.State == SubmissionState.Pending && !caller.IsUser(s.Submitter)) is { } foreign)
            {
                // Superseding is a revision: only its submitter (or someone who may manage public models) may make one.
                throw new ConflictException(
                    $"Model '{foreign.ModelName}' has a pending submission by another user ({foreign.Id}, revision {foreign.Revision}); it must be decided before another can be made.",
                    "name");
            }
            var now = clock.GetUtcNow();
            var id = "sub-" + Guid.NewGuid().ToString("N");
            var submission = new Submission
            {
                Id = id,
                ModelName = model.Name,
                ModelType = model.Type,
                Kind = kind,
                Revision = existing.Count == 0 ? 1 : existing.Max(s => s.Revision) + 1,
                State = autoApproved ? SubmissionState.Approved : SubmissionState.Pending,
                Submitter = submitter,
                SubmittedAt = now,
                Before = Snapshot(before),
                Proposed = Snapshot(proposed),
                BaseETag = before?.ETag,
                Changes = SubmissionDiff.Compute(before, proposed),
                AutoApproved = autoApproved,
                DecidedBy = autoApproved ? submitter : null,
                DecidedAt = autoApproved ? now : null,
                WorkflowId = "sync-" + id,
            };
            try
            {
                submission = await submissions.CreateAsync(submission, cancellationToken);
            }
            catch (ConflictException) when (attempt < 10)
            {
                // Another submission of the same model took that revision number; count again.
                continue;
            }
            foreach (var pending in existing.Where(s => s.State == SubmissionState.Pending))
            {
                await SupersedeAsync(pending, submission.Id, cancellationToken);
            }
            return submission;
        }
    }

    private async Task SupersedeAsync(Submission pending, string by, CancellationToken cancellationToken)
    {
        var next = pending.Clone();
        next.State = SubmissionState.Superseded;
        next.SupersededBy = by;
        try
        {
            await submissions.ReplaceAsync(next, pending.ETag!, cancellationToken);
        }
        catch (PreconditionFailedException)
        {
            // Decided meanwhile; a decision on it stands (its revision check sees the newer one).
        }
    }

    /// <summary>Applies <paramref name="change"/> (false: nothing to change) to the stored submission, re-reading it when another writer came first.</summary>
    private async Task MutateAsync(string id, Func<Submission, bool> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await submissions.FindAsync(id, cancellationToken);
            if (current is null)
            {
                return;
            }
            var next = current.Clone();
            if (!change(next))
            {
                return;
            }
            try
            {
                await submissions.ReplaceAsync(next, current.ETag!, cancellationToken);
                return;
            }
            catch (PreconditionFailedException) when (attempt < 5)
            {
            }
        }
    }

    private static HubModel? Snapshot(HubModel? model)
    {
        if (model is null)
        {
            return null;
        }
        var copy = model.Clone();
        copy.PullRequest = null;
        copy.ETag = null;
        return copy;
    }

    /// <summary>
    /// Sets on <paramref name="live"/> the fields a submission proposes: the same fields <see cref="Matches"/>
    /// compares, so an applied proposal matches its snapshot and nothing else is touched.
    /// </summary>
    private static HubModel WithProposal(HubModel live, HubModel proposed, DateTimeOffset updatedAt)
    {
        live.Type = proposed.Type;
        live.Description = proposed.Description;
        live.Readme = proposed.Readme;
        live.Tags = [.. proposed.Tags];
        live.Framework = proposed.Framework;
        live.Source = proposed.Source;
        live.Visibility = proposed.Visibility;
        live.Tier = proposed.Tier;
        live.Owner = proposed.Owner;
        live.Status = proposed.Status;
        live.ExpiresAt = proposed.ExpiresAt;
        live.Featured = proposed.Featured;
        live.Spec = proposed.Spec;
        live.UpdatedAt = updatedAt;
        return live;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} revision {Revision} submitted for review by {User}")]
    private static partial void LogSubmitted(ILogger logger, string name, int revision, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} revision {Revision} {State} by {User}")]
    private static partial void LogDecided(ILogger logger, string name, int revision, SubmissionState state, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revision {Revision} of model {Name} is published: pull request #{Number} was merged")]
    private static partial void LogPublished(ILogger logger, string name, int revision, int number);

    [LoggerMessage(Level = LogLevel.Information, Message = "Approved revision {Revision} of model {Name} applied")]
    private static partial void LogApplied(ILogger logger, string name, int revision);
}
