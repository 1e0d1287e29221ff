using System.Text.Json.Serialization;
using ModelsHub.Contracts.Sync;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Upstream;

/// <summary>
/// One run of the upstream sync, persisted so it can be followed (<c>GET /api/sync/{id}</c>) and
/// compared. Runs are numbered: <see cref="Sequence"/> is one more than the run before, and the id
/// derives from it, so two triggers starting "the next run" at once collide on the id and the
/// second joins the first (see <see cref="UpstreamSync"/>).
/// </summary>
public sealed class SyncRun : IStoredDocument<SyncRun>
{
    public required string Id { get; init; }

    public long Sequence { get; init; }

    public SyncTrigger Trigger { get; init; }

    /// <summary>The administrator who asked for it; null for the timer.</summary>
    public string? RequestedBy { get; init; }

    public SyncRunStatus Status { get; set; } = SyncRunStatus.Running;

    /// <summary>The model repository, <c>owner/name</c>.</summary>
    public required string Repository { get; init; }

    /// <summary>The configured ref (<c>Sync:Ref</c>) ...</summary>
    public required string Ref { get; init; }

    /// <summary>... and the commit it pointed at when the run began; every file is read at this commit.</summary>
    public string? Commit { get; set; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; set; }

    public long? DurationMs { get; set; }

    /// <summary>Entries in the six files (one model may have several: audio variants).</summary>
    public int Entries { get; set; }

    public SyncCounts Counts { get; set; } = new();

    public PullRequestCounts PullRequests { get; set; } = new();

    /// <summary>What went wrong with single files, models or pull requests (the first <see cref="MaxErrors"/>).</summary>
    public List<SyncError> Errors { get; set; } = [];

    /// <summary>Why the run failed as a whole.</summary>
    public string? LastError { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    public const int MaxErrors = 100;

    /// <summary>The workflow that carries the run out.</summary>
    [JsonIgnore]
    public string WorkflowId => WorkflowIdFor(Id);

    public static string IdFor(long sequence) => "sync-" + sequence.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    public static string WorkflowIdFor(string runId) => "upstream-" + runId;

    public SyncRun Clone() => new()
    {
        Id = Id,
        Sequence = Sequence,
        Trigger = Trigger,
        RequestedBy = RequestedBy,
        Status = Status,
        Repository = Repository,
        Ref = Ref,
        Commit = Commit,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        DurationMs = DurationMs,
        Entries = Entries,
        Counts = Counts,
        PullRequests = PullRequests,
        Errors = [.. Errors],
        LastError = LastError,
        ETag = ETag,
    };
}

/// <summary>
/// Models the run added, updated, found unchanged, newly marked removed upstream, left alone because
/// a hub change to them is not published yet, and could not take (files and models).
/// </summary>
public sealed record SyncCounts(int Added = 0, int Updated = 0, int Unchanged = 0, int Removed = 0, int UnderReview = 0, int Errors = 0);

/// <summary>The hub's open pull requests the run looked at, and how many it found merged or closed.</summary>
public sealed record PullRequestCounts(int Checked = 0, int Merged = 0, int Closed = 0, int Errors = 0);

/// <summary>One problem: with a file (<see cref="Type"/> only), a model (both), or a model's pull request (<see cref="Model"/> only).</summary>
public sealed record SyncError(string? Type, string? Model, string Reason);
