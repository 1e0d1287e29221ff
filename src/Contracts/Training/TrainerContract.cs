namespace ModelsHub.Contracts.Training;

/// <summary>
/// The trainer contract (docs/trainer-contract.md): what every trainer process gets in its
/// environment, whichever compute runs it (a local process, a Kubernetes pod). A trainer in any
/// language reads these variables; the C# reference trainer reads them through this class.
/// </summary>
public static class TrainerEnvironment
{
    /// <summary>The training job's id.</summary>
    public const string JobId = "MODELSHUB_JOB_ID";

    /// <summary>The trainer's name as registered (<c>Training:Trainers:&lt;name&gt;</c>).</summary>
    public const string Trainer = "MODELSHUB_TRAINER";

    /// <summary><c>full</c>, <c>lora</c>, or another method the trainer declares.</summary>
    public const string Method = "MODELSHUB_METHOD";

    /// <summary>The hyperparameters as one JSON object, every declared one present (defaults filled in).</summary>
    public const string Hyperparameters = "MODELSHUB_HYPERPARAMETERS";

    /// <summary>The base model version's files: a JSON array of <see cref="TrainerInputFile"/>, each with a signed read link.</summary>
    public const string BaseFiles = "MODELSHUB_BASE_FILES";

    /// <summary>The dataset version: one JSON <see cref="TrainerDataset"/> with a signed read link to its file.</summary>
    public const string Dataset = "MODELSHUB_DATASET";

    /// <summary>Where the trainer POSTs its events (JSON lines), a job-scoped signed URL.</summary>
    public const string EventsUrl = "MODELSHUB_EVENTS_URL";

    /// <summary>Where the trainer opens the upload of its output (the hub's upload protocol), a job-scoped signed URL.</summary>
    public const string OutputUrl = "MODELSHUB_OUTPUT_URL";

    /// <summary>When the hub stops waiting for the trainer (ISO 8601, UTC): <c>Training:Timeout</c> after the start.</summary>
    public const string Deadline = "MODELSHUB_DEADLINE";

    /// <summary>Every variable the hub sets, in the order the contract lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [JobId, Trainer, Method, Hyperparameters, BaseFiles, Dataset, EventsUrl, OutputUrl, Deadline];
}

/// <summary>One file of the base model version, readable without other credentials at <see cref="Url"/> until the links expire.</summary>
public sealed record TrainerInputFile(string Name, string Url, long Size, string Sha256);

/// <summary>The dataset version a job trains on: its file (with a signed read link), format and record count.</summary>
public sealed record TrainerDataset(string Name, string Version, string FileName, string Url, long Size, string Sha256, string Format, long? Records);

/// <summary>The kinds of event line a trainer posts.</summary>
public enum TrainerEventType { Progress, Metric, Log, Checkpoint, Output }

/// <summary>
/// One event line as a trainer posts it (one JSON object per line, <c>application/x-ndjson</c>).
/// <see cref="Seq"/> numbers a trainer's lines 1, 2, 3, … without gaps: the hub stores each once (a
/// batch sent again after a lost answer is acknowledged, not doubled) and fails the job on a gap or
/// a step back. Which other fields a line carries depends on <see cref="Type"/>:
/// <list type="bullet">
/// <item><c>progress</c>: <see cref="Step"/>, <see cref="TotalSteps"/>, <see cref="Epoch"/>, and optionally <see cref="Percent"/> and <see cref="EtaSeconds"/> (else derived).</item>
/// <item><c>metric</c>: <see cref="Name"/>, <see cref="Value"/>, <see cref="Step"/>, optionally <see cref="Epoch"/>.</item>
/// <item><c>log</c>: <see cref="Message"/>, optionally <see cref="Level"/> (<c>info</c>, <c>warning</c>, <c>error</c>).</item>
/// <item><c>checkpoint</c>: <see cref="Name"/>, <see cref="Step"/>, optionally <see cref="Epoch"/>, <see cref="Size"/>, <see cref="Sha256"/>, <see cref="Uri"/>.</item>
/// <item><c>output</c>: <see cref="UploadId"/>, <see cref="FileName"/>, <see cref="Size"/>, <see cref="Sha256"/>, optionally the final <see cref="Metrics"/>. The last line of a trainer that succeeded.</item>
/// </list>
/// </summary>
public sealed record TrainerEvent(
    long Seq,
    TrainerEventType Type,
    DateTimeOffset? At = null,
    long? Step = null,
    long? TotalSteps = null,
    double? Epoch = null,
    double? Percent = null,
    double? EtaSeconds = null,
    string? Name = null,
    double? Value = null,
    string? Level = null,
    string? Message = null,
    string? Uri = null,
    long? Size = null,
    string? Sha256 = null,
    string? UploadId = null,
    string? FileName = null,
    IReadOnlyDictionary<string, double>? Metrics = null);

/// <summary>The hub's answer to a batch of event lines: the highest sequence number it holds for the job.</summary>
public sealed record TrainerEventsAccepted(int Accepted, long LastSeq);
