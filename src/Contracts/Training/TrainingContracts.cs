using System.Text.Json;

namespace ModelsHub.Contracts.Training;

/// <summary>
/// Where a training job is: <c>queued → starting → running → uploading → registering → succeeded</c>,
/// or <c>failed</c> / <c>cancelled</c> from any state before the end.
/// </summary>
public enum TrainingJobState { Queued, Starting, Running, Uploading, Registering, Succeeded, Failed, Cancelled }

/// <summary>
/// A new training job. The server reads the body field by field (every bad field is named).
/// <see cref="Name"/> defaults to <c>&lt;model&gt;-&lt;version&gt;-ft-&lt;yyyyMMdd-HHmm&gt;</c>; <see cref="Trainer"/>,
/// <see cref="Method"/> and <see cref="Compute"/> to the configured defaults; hyperparameters the trainer
/// declares and the request leaves out get the trainer's defaults.
/// </summary>
public sealed record TrainingJobRequest(
    string Model,
    string Version,
    string Dataset,
    string DatasetVersion,
    string? Name = null,
    string? Trainer = null,
    string? Method = null,
    IReadOnlyDictionary<string, JsonElement>? Hyperparameters = null,
    string? Compute = null,
    TrainingOutputRequest? Output = null);

/// <summary>Where the output goes: a version of <see cref="Model"/> (default: the base model) labelled <see cref="Label"/> (default: the suggested next label).</summary>
public sealed record TrainingOutputRequest(string? Model = null, string? Label = null);

/// <summary>A training job as the API shows it.</summary>
public sealed record TrainingJobDto(
    string Id,
    string Name,
    string Model,
    string Version,
    string Dataset,
    string DatasetVersion,
    string? DatasetFormat,
    string Trainer,
    string Method,
    IReadOnlyDictionary<string, JsonElement> Hyperparameters,
    string Compute,
    TrainingJobState State,
    IReadOnlyList<TrainingStateChangeDto> States,
    TrainingProgressDto? Progress,
    IReadOnlyDictionary<string, TrainingMetricValueDto> Metrics,
    TrainingOutputDto Output,
    TrainingErrorDto? Error,
    long EventCount,
    int CheckpointCount,
    bool CancelRequested,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string WorkflowId,
    string Url,
    string EventsUrl);

/// <summary>When the job entered a state.</summary>
public sealed record TrainingStateChangeDto(TrainingJobState State, DateTimeOffset At, string? Note);

/// <summary>How far the trainer got: its latest <c>progress</c> event (ETA derived from the pace when the trainer gives none).</summary>
public sealed record TrainingProgressDto(double? Percent, long? Step, long? TotalSteps, double? Epoch, double? EtaSeconds, DateTimeOffset At);

/// <summary>A metric's latest value and where it was measured.</summary>
public sealed record TrainingMetricValueDto(double Value, long? Step, double? Epoch, DateTimeOffset At);

/// <summary>
/// Where the output goes and, once registered, the version it became (<see cref="Version"/>). The
/// file the trainer uploaded (<see cref="FileName"/>, <see cref="Size"/>, <see cref="Sha256"/>) appears
/// with its <c>output</c> event.
/// </summary>
public sealed record TrainingOutputDto(string Model, string? Label, string? Version, string? FileName, long? Size, string? Sha256, string? UploadId, string? VersionUrl);

/// <summary>Why the job failed, with the trainer's last log lines.</summary>
public sealed record TrainingErrorDto(string Reason, IReadOnlyList<string> LastLogLines);

public sealed record TrainingJobListResponse(IReadOnlyList<TrainingJobDto> Items, string? ContinuationToken);

/// <summary>
/// A page of a job's events in sequence order: ask for the next page with <c>after=</c><see cref="NextAfter"/>
/// while <see cref="HasMore"/>; a job still running adds more later.
/// </summary>
public sealed record TrainingEventPageResponse(IReadOnlyList<TrainingEventDto> Items, long NextAfter, bool HasMore, TrainingJobState State);

/// <summary>One event as stored: the trainer's line, and when the hub received it.</summary>
public sealed record TrainingEventDto(
    long Seq,
    TrainerEventType Type,
    DateTimeOffset At,
    DateTimeOffset ReceivedAt,
    long? Step,
    long? TotalSteps,
    double? Epoch,
    double? Percent,
    double? EtaSeconds,
    string? Name,
    double? Value,
    string? Level,
    string? Message,
    string? Uri,
    long? Size,
    string? Sha256,
    string? UploadId,
    string? FileName,
    IReadOnlyDictionary<string, double>? Metrics);

/// <summary>One metric point: the loss curve and the evaluation series, point by point.</summary>
public sealed record TrainingMetricPointDto(string Name, double Value, long? Step, double? Epoch, DateTimeOffset At, long Seq);

public sealed record TrainingMetricsResponse(IReadOnlyList<TrainingMetricPointDto> Items, long NextAfter, bool HasMore);

public sealed record TrainingCheckpointDto(string Name, long? Step, double? Epoch, long? Size, string? Sha256, string? Uri, DateTimeOffset At, long Seq);

public sealed record TrainingCheckpointsResponse(IReadOnlyList<TrainingCheckpointDto> Items);

/// <summary>A trainer the hub can run, as configured: what it accepts.</summary>
public sealed record TrainerDto(string Name, string? Description, bool IsDefault, IReadOnlyList<string> DatasetFormats, IReadOnlyList<string> Methods,
    IReadOnlyDictionary<string, HyperparameterDto> Hyperparameters, IReadOnlyList<string> Computes);

/// <summary>One hyperparameter a trainer declares: its type (<c>integer</c>, <c>number</c>, <c>boolean</c>, <c>string</c>), default and bounds.</summary>
public sealed record HyperparameterDto(string Type, JsonElement? Default, double? Min, double? Max, IReadOnlyList<string>? Values, string? Description);

public sealed record TrainerListResponse(IReadOnlyList<TrainerDto> Items, string DefaultTrainer, string DefaultCompute);
