namespace ModelsHub.Core.Training;

/// <summary>Training jobs (section <c>Training</c>): the trainers, defaults, and how long a job may take.</summary>
public sealed class TrainingOptions
{
    public const string Section = "Training";

    /// <summary>The name of the reference trainer, registered unless configuration defines one of that name.</summary>
    public const string ReferenceTrainer = "reference";

    /// <summary>The trainer a job gets when it names none.</summary>
    public string DefaultTrainer { get; set; } = ReferenceTrainer;

    /// <summary>The compute a job gets when it names none: <c>local</c> or <c>kubernetes</c>.</summary>
    public string DefaultCompute { get; set; } = "local";

    /// <summary>How long a trainer may run, from its start to its output: past it the job is stopped and fails.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often the hub looks at a running trainer (its process or pod) and the job's cancel request.</summary>
    public TimeSpan MonitorInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the signed read links to a job's inputs stay valid (trainers read them when they start).</summary>
    public TimeSpan InputLinkLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the hub waits for events missing before a trainer's <c>output</c> (sent on another connection) before it fails the job.</summary>
    public TimeSpan MissingEventsGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The hub's address as trainers reach it (their events and output URLs); default <c>Hub:PublicBaseUrl</c>.</summary>
    public string? HubUrl { get; set; }

    /// <summary>The trainers jobs may use, by name (<c>Training:Trainers:&lt;name&gt;</c>).</summary>
    public Dictionary<string, TrainerOptions> Trainers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One trainer as configured: how to start it on each compute, and what it accepts.</summary>
public sealed class TrainerOptions
{
    public string? Description { get; set; }

    /// <summary>How the <c>local</c> compute starts it: an executable and its arguments.</summary>
    public LocalTrainerOptions? Local { get; set; }

    /// <summary>How the <c>kubernetes</c> compute starts it: a container image (and its arguments).</summary>
    public ContainerTrainerOptions? Container { get; set; }

    /// <summary>
    /// The reference trainer as registered by default (not bound from configuration). It may have no way to
    /// start where the hub was published without it (the Functions package): jobs asking for it are then
    /// refused naming the compute, instead of the hub refusing to start.
    /// </summary>
    public bool IsBuiltIn { get; internal init; }

    /// <summary>Dataset formats it reads (<c>csv</c>, <c>jsonl-completion</c>, <c>jsonl-chat</c>, <c>parquet</c>, <c>archive</c>).</summary>
    public List<string> DatasetFormats { get; set; } = [];

    /// <summary>Training methods it offers (<c>full</c>, <c>lora</c>, or its own); the first is the default.</summary>
    public List<string> Methods { get; set; } = [];

    public Dictionary<string, HyperparameterOptions> Hyperparameters { get; set; } = new(StringComparer.Ordinal);
}

public sealed class LocalTrainerOptions
{
    public string? Command { get; set; }

    public List<string> Arguments { get; set; } = [];
}

public sealed class ContainerTrainerOptions
{
    public string? Image { get; set; }

    /// <summary>The container's command (empty: the image's entrypoint).</summary>
    public List<string> Command { get; set; } = [];

    public List<string> Arguments { get; set; } = [];

    /// <summary><c>nvidia.com/gpu</c> the trainer's pod asks for (null: <c>Training:Kubernetes:Gpus</c>).</summary>
    public int? Gpus { get; set; }
}

/// <summary>One hyperparameter: <see cref="Type"/> <c>integer</c>, <c>number</c>, <c>boolean</c> or <c>string</c>, a default, bounds or allowed values.</summary>
public sealed class HyperparameterOptions
{
    public string Type { get; set; } = "number";

    /// <summary>The value a job gets when it leaves the hyperparameter out (as text; null: the job must give it).</summary>
    public string? Default { get; set; }

    public double? Min { get; set; }

    public double? Max { get; set; }

    /// <summary>For <c>string</c>: the values allowed (empty: any text).</summary>
    public List<string> Values { get; set; } = [];

    public string? Description { get; set; }
}
