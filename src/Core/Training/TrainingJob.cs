using System.Text.Json;
using System.Text.Json.Serialization;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Training;

/// <summary>
/// A training job (DESIGN.md "Training jobs"): what it trains (a base model version on a dataset
/// version, with a trainer, a method and hyperparameters), where (a compute adapter), where its
/// output goes, and how far it got. The <see cref="TrainingJobWorkflow"/> carries it out; the
/// trainer's events are kept beside it (<see cref="ITrainingEventStore"/>), and the job holds a
/// summary of them (latest progress and metrics) for listings.
/// </summary>
public sealed class TrainingJob : IStoredDocument<TrainingJob>
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The base model (its name as registered) and version label.</summary>
    public required string Model { get; init; }

    public required string Version { get; init; }

    public required string Dataset { get; init; }

    public required string DatasetVersion { get; init; }

    /// <summary>The dataset version's format as validation found it (<c>csv</c>, <c>jsonl-completion</c>, …).</summary>
    public string? DatasetFormat { get; init; }

    public long? DatasetRecords { get; init; }

    public required string Trainer { get; init; }

    public required string Method { get; init; }

    /// <summary>Every hyperparameter the trainer declares, defaults filled in.</summary>
    public Dictionary<string, JsonElement> Hyperparameters { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The compute adapter that runs the trainer (<c>local</c>, <c>kubernetes</c>).</summary>
    public required string Compute { get; init; }

    /// <summary>The model the output becomes a version of (the base model unless the request named another).</summary>
    public required string OutputModel { get; init; }

    /// <summary>The label the request asked for; null: the suggestion when the output is registered.</summary>
    public string? RequestedLabel { get; init; }

    public TrainingJobState State { get; set; } = TrainingJobState.Queued;

    /// <summary>Every state the job entered, with its time, oldest first.</summary>
    public List<TrainingStateChange> States { get; set; } = [];

    public TrainingProgress? Progress { get; set; }

    /// <summary>The latest value of each metric the trainer reported.</summary>
    public Dictionary<string, TrainingMetricValue> Metrics { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The highest event sequence number the hub holds for the job, and how many events it holds.</summary>
    public long LastSeq { get; set; }

    public long EventCount { get; set; }

    public int CheckpointCount { get; set; }

    /// <summary>What the trainer's <c>output</c> event declared; null until it arrives.</summary>
    public TrainingOutputFile? Output { get; set; }

    /// <summary>The upload the trainer opened for its output (through the job-scoped output URL).</summary>
    public string? OutputUploadId { get; set; }

    /// <summary>The version label the output is registered under, once reserved (a crash resumes with the same one).</summary>
    public string? OutputLabel { get; set; }

    /// <summary>Whether <see cref="OutputLabel"/> is a registered, ready version holding the output.</summary>
    public bool OutputRegistered { get; set; }

    public string? FailureReason { get; set; }

    /// <summary>The trainer's last log lines (at most <see cref="MaxLogLines"/>), shown when the job fails.</summary>
    public List<string> LastLogLines { get; set; } = [];

    public bool CancelRequested { get; set; }

    public string? CancelRequestedBy { get; set; }

    /// <summary>What the compute adapter needs to find the trainer again (a Kubernetes Job name, a process id and start time).</summary>
    public string? ComputeHandle { get; set; }

    /// <summary>How many trainers were started for the job (more than one only after the earlier one was known dead).</summary>
    public int Launches { get; set; }

    /// <summary>The SHA-256 of the job's token (hex): the trainer's events and output URLs carry the token itself.</summary>
    public string? TokenHash { get; set; }

    /// <summary>The token encrypted at rest (<c>ISecretProtector</c>), so a trainer started again after a crash gets the same URLs.</summary>
    public string? ProtectedToken { get; set; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the trainer was started (the timeout counts from here).</summary>
    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    public const int MaxLogLines = 20;

    [JsonIgnore]
    public bool IsEnded => State is TrainingJobState.Succeeded or TrainingJobState.Failed or TrainingJobState.Cancelled;

    [JsonIgnore]
    public string WorkflowId => WorkflowIdFor(Id);

    public static string WorkflowIdFor(string jobId) => "training-" + jobId;

    /// <summary>Moves the job to <paramref name="state"/> (recording when), unless it is there already.</summary>
    public bool MoveTo(TrainingJobState state, DateTimeOffset at, string? note = null)
    {
        if (State == state)
        {
            return false;
        }
        State = state;
        States.Add(new TrainingStateChange(state, at, note));
        if (IsEnded)
        {
            EndedAt = at;
        }
        UpdatedAt = at;
        return true;
    }

    public void AddLogLine(string line)
    {
        LastLogLines.Add(line);
        if (LastLogLines.Count > MaxLogLines)
        {
            LastLogLines.RemoveRange(0, LastLogLines.Count - MaxLogLines);
        }
    }

    public TrainingJob Clone()
    {
        var copy = (TrainingJob)MemberwiseClone();
        copy.States = [.. States];
        copy.Metrics = new Dictionary<string, TrainingMetricValue>(Metrics, StringComparer.Ordinal);
        copy.LastLogLines = [.. LastLogLines];
        return copy;
    }
}

public sealed record TrainingStateChange(TrainingJobState State, DateTimeOffset At, string? Note = null);

public sealed record TrainingProgress(double? Percent, long? Step, long? TotalSteps, double? Epoch, double? EtaSeconds, DateTimeOffset At, long Seq);

public sealed record TrainingMetricValue(double Value, long? Step, double? Epoch, DateTimeOffset At, long Seq);

/// <summary>The output the trainer declared: the upload that holds it and its final metrics.</summary>
public sealed record TrainingOutputFile(string UploadId, string FileName, long Size, string Sha256, Dictionary<string, double> Metrics, long Seq);
