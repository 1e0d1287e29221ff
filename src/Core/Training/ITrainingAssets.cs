using ModelsHub.Contracts.Training;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Uploads;

namespace ModelsHub.Core.Training;

/// <summary>What a new job's inputs and output are, as the caller may see and change them.</summary>
public sealed record TrainingInputs(string Model, string Version, string Dataset, string DatasetVersion, string? DatasetFormat, long? DatasetRecords, string OutputModel);

/// <summary>What completing the output's upload came to.</summary>
public enum OutputCompletionStatus { Completed, Verifying, Failed }

public sealed record OutputCompletion(OutputCompletionStatus Status, string? Reason = null, string? Sha256 = null, long? Size = null);

/// <summary>
/// What training asks of the version, dataset and upload machinery (DESIGN.md "Versioned assets"):
/// the inputs a job names and their signed read links, the output's upload through the hub's own
/// upload protocol into a version of the output model, and that version's lineage. One
/// implementation over the shared machinery; the job and its workflow never touch a version store.
/// </summary>
public interface ITrainingAssets
{
    /// <summary>
    /// The base model version (ready) and dataset version (ready, else a 409) the caller may see, and the
    /// output model the caller may add versions to (404 when hidden, 403 otherwise). <paramref name="outputLabel"/>,
    /// when given, must be a free, valid label there.
    /// </summary>
    Task<TrainingInputs> CheckAsync(Caller caller, string model, string version, string dataset, string datasetVersion, string? outputModel, string? outputLabel,
        CancellationToken cancellationToken);

    /// <summary>Why the job's inputs can no longer be trained on (deleted, no longer ready), or null.</summary>
    Task<string?> RecheckAsync(TrainingJob job, CancellationToken cancellationToken);

    /// <summary>The base version's files and the dataset version's file, each with a read link valid for <paramref name="lifetime"/>, made absolute against <paramref name="hub"/>.</summary>
    Task<(IReadOnlyList<TrainerInputFile> BaseFiles, TrainerDataset Dataset)> GetInputLinksAsync(TrainingJob job, Uri hub, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>The label the output model suggests for its next version.</summary>
    Task<string> SuggestOutputLabelAsync(TrainingJob job, CancellationToken cancellationToken);

    /// <summary>
    /// Opens (or finds again) the output's upload into version <paramref name="label"/> of the output model:
    /// the version is added with the job's lineage unless this job added it already; a version of that
    /// label that another added is a <see cref="Common.ConflictException"/> on <c>label</c>. Then an
    /// upload of the declared file is opened into it (the same declaration again finds the open one).
    /// </summary>
    Task<UploadState> OpenOutputAsync(TrainingJob job, string label, UploadRequest request, CancellationToken cancellationToken);

    /// <summary>The output upload as it stands (which chunks arrived, a fresh target), for a trainer resuming it.</summary>
    Task<UploadState> GetOutputUploadAsync(TrainingJob job, string uploadId, CancellationToken cancellationToken);

    /// <summary>Commits and verifies the output upload against what the trainer's <c>output</c> event declared; idempotent.</summary>
    Task<OutputCompletion> CompleteOutputAsync(TrainingJob job, CancellationToken cancellationToken);

    /// <summary>Records the final metrics on the output version (its lineage and metrics); idempotent.</summary>
    Task RegisterAsync(TrainingJob job, CancellationToken cancellationToken);

    /// <summary>Takes back what the job put into the output model (the version it reserved, its upload), unless it was registered.</summary>
    Task DiscardOutputAsync(TrainingJob job, CancellationToken cancellationToken);
}
