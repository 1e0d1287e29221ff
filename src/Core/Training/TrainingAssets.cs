using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Training;

/// <summary>
/// Training's side of the one version, upload and download machinery (<see cref="ITrainingAssets"/>):
/// inputs are a model version and a dataset version the caller may see, read by the trainer through
/// signed read links; the output is a version of the output model added with the job's lineage and
/// filled through an ordinary upload session (the job's starter as its creator), completed by the
/// job's workflow; a job that does not succeed takes that version back.
/// </summary>
public sealed class TrainingAssets(VersionCatalog versions, UploadService uploads, IBlobStore blobs, TimeProvider clock) : ITrainingAssets
{
    public async Task<TrainingInputs> CheckAsync(Caller caller, string model, string version, string dataset, string datasetVersion, string? outputModel,
        string? outputLabel, CancellationToken cancellationToken)
    {
        var (baseAsset, baseVersion) = await versions.GetAsync(caller, AssetRef.Model(model), version, cancellationToken);
        if (baseVersion.Status != VersionStatus.Ready)
        {
            throw new ConflictException($"Version '{baseVersion.Label}' of model '{baseAsset.Ref.Name}' is {EnumNames<VersionStatus>.NameOf(baseVersion.Status)}; training starts from a ready version.", "version");
        }
        var (data, dataVersion) = await versions.GetAsync(caller, AssetRef.Dataset(dataset), datasetVersion, cancellationToken);
        if (dataVersion.Status != VersionStatus.Ready)
        {
            throw new ConflictException(
                $"Version '{dataVersion.Label}' of dataset '{data.Ref.Name}' is {EnumNames<VersionStatus>.NameOf(dataVersion.Status)}; training takes ready dataset versions only{(dataVersion.FailureReason is { } why ? $" ({why})" : "")}.",
                "datasetVersion");
        }
        var output = await versions.GetForChangeAsync(caller, AssetRef.Model(outputModel ?? baseAsset.Ref.Name), "train a new version into this model", cancellationToken);
        if (outputLabel is not null)
        {
            var errors = new ValidationErrors();
            VersionRules.ValidateLabel(outputLabel, errors, "output.label");
            errors.ThrowIfAny();
            if (await versions.FindAsync(new AssetVersionRef(output.Ref, outputLabel), cancellationToken) is { } taken)
            {
                throw new ConflictException($"Model '{output.Ref.Name}' already has a version '{taken.Label}'; name another label for the output, or leave it out.", "output.label");
            }
        }
        var format = dataVersion.Validation is { } validation ? EnumNames<Contracts.Datasets.DatasetFormat>.NameOf(validation.Format) : null;
        return new TrainingInputs(baseAsset.Ref.Name, baseVersion.Label, data.Ref.Name, dataVersion.Label, format, dataVersion.Validation?.RecordCount, output.Ref.Name);
    }

    public async Task<string?> RecheckAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        var baseVersion = await versions.FindAsync(new AssetVersionRef(AssetRef.Model(job.Model), job.Version), cancellationToken);
        if (baseVersion is not { Status: VersionStatus.Ready })
        {
            return baseVersion is null
                ? $"The base version {job.Model} {job.Version} was deleted before the trainer started."
                : $"The base version {job.Model} {job.Version} is {EnumNames<VersionStatus>.NameOf(baseVersion.Status)}, not ready.";
        }
        var dataVersion = await versions.FindAsync(new AssetVersionRef(AssetRef.Dataset(job.Dataset), job.DatasetVersion), cancellationToken);
        if (dataVersion is not { Status: VersionStatus.Ready })
        {
            return dataVersion is null
                ? $"The dataset version {job.Dataset} {job.DatasetVersion} was deleted before the trainer started."
                : $"The dataset version {job.Dataset} {job.DatasetVersion} is {EnumNames<VersionStatus>.NameOf(dataVersion.Status)}, not ready.";
        }
        return null;
    }

    public async Task<(IReadOnlyList<TrainerInputFile> BaseFiles, TrainerDataset Dataset)> GetInputLinksAsync(TrainingJob job, Uri hub, TimeSpan lifetime,
        CancellationToken cancellationToken)
    {
        var baseRef = new AssetVersionRef(AssetRef.Model(job.Model), job.Version);
        var dataRef = new AssetVersionRef(AssetRef.Dataset(job.Dataset), job.DatasetVersion);
        var baseVersion = await versions.FindAsync(baseRef, cancellationToken) ?? throw new PermanentStepException($"The base version {job.Model} {job.Version} was deleted.");
        var dataVersion = await versions.FindAsync(dataRef, cancellationToken) ?? throw new PermanentStepException($"The dataset version {job.Dataset} {job.DatasetVersion} was deleted.");
        var file = dataVersion.Files.FirstOrDefault() ?? throw new PermanentStepException($"The dataset version {job.Dataset} {job.DatasetVersion} has no file.");
        var expiresAt = clock.GetUtcNow() + lifetime;
        var baseFiles = new List<TrainerInputFile>();
        foreach (var f in baseVersion.Files)
        {
            baseFiles.Add(new TrainerInputFile(f.Name, await LinkAsync(baseRef, f.Name, hub, expiresAt, cancellationToken), f.Size, f.Sha256));
        }
        var dataset = new TrainerDataset(dataVersion.Asset, dataVersion.Label, file.Name, await LinkAsync(dataRef, file.Name, hub, expiresAt, cancellationToken),
            file.Size, file.Sha256, job.DatasetFormat ?? "", dataVersion.Validation?.RecordCount);
        return (baseFiles, dataset);
    }

    public async Task<string> SuggestOutputLabelAsync(TrainingJob job, CancellationToken cancellationToken) =>
        VersionLabels.Suggest((await versions.ListAsync(AssetRef.Model(job.OutputModel), cancellationToken)).Select(v => v.Label));

    public async Task<UploadState> OpenOutputAsync(TrainingJob job, string label, UploadRequest request, CancellationToken cancellationToken)
    {
        var output = AssetRef.Model(job.OutputModel);
        var version = await versions.FindAsync(new AssetVersionRef(output, label), cancellationToken);
        if (version is null)
        {
            try
            {
                version = await versions.AddAsync(output, label, job.CreatedBy, v =>
                {
                    v.Notes = $"Trained by job {job.Name} ({job.Id}): {job.Model} {job.Version} on {job.Dataset} {job.DatasetVersion} with {job.Trainer} ({job.Method}).";
                    v.Lineage = LineageOf(job, new Dictionary<string, double>());
                }, cancellationToken);
            }
            catch (ConflictException ex) when (ex.Field == "label")
            {
                // Added meanwhile: by this job's other request (then it is ours), or by someone else.
                version = await versions.FindAsync(new AssetVersionRef(output, label), cancellationToken);
                if (version is null)
                {
                    throw;
                }
            }
        }
        if (version.Lineage?.TrainingJob != job.Id)
        {
            throw new ConflictException($"Model '{job.OutputModel}' already has a version '{version.Label}' that this job did not make.", "label");
        }
        var owner = await versions.Assets(AssetKind.Model).FindAsync(job.OutputModel, cancellationToken) ?? throw new NotFoundException("Model", job.OutputModel);
        // The output counts against the starter's quotas as a file they uploaded would (judged by their user id alone: no exemption).
        return await uploads.StartForAsync(owner, version.Label, request, new Caller(job.CreatedBy, []), cancellationToken);
    }

    public async Task<UploadState> GetOutputUploadAsync(TrainingJob job, string uploadId, CancellationToken cancellationToken) =>
        await uploads.FindStateAsync(uploadId, cancellationToken) is { } state && state.Session.AssetRef.SameAs(AssetRef.Model(job.OutputModel))
            ? state
            : throw new NotFoundException("Upload", uploadId);

    public async Task<OutputCompletion> CompleteOutputAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        var output = job.Output ?? throw new PermanentStepException("The trainer has not posted its output.");
        if (output.UploadId != job.OutputUploadId)
        {
            return new OutputCompletion(OutputCompletionStatus.Failed, $"The output event names upload {output.UploadId}, but the job's output upload is {job.OutputUploadId ?? "none"}.");
        }
        var session = await uploads.FindSessionAsync(output.UploadId, cancellationToken);
        if (session is null)
        {
            return new OutputCompletion(OutputCompletionStatus.Failed, $"The output's upload {output.UploadId} is gone.");
        }
        if (session.Status is not (UploadStatus.Completed or UploadStatus.Failed))
        {
            try
            {
                session = await uploads.ResumeAsync(output.UploadId);
            }
            catch (ConflictException ex)
            {
                return new OutputCompletion(OutputCompletionStatus.Failed, ex.Message);
            }
        }
        return session.Status switch
        {
            UploadStatus.Completed => new OutputCompletion(OutputCompletionStatus.Completed, Sha256: session.Sha256, Size: session.Size),
            UploadStatus.Failed => new OutputCompletion(OutputCompletionStatus.Failed, session.FailureReason),
            _ => new OutputCompletion(OutputCompletionStatus.Verifying),
        };
    }

    public async Task RegisterAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        var label = job.OutputLabel ?? throw new PermanentStepException("The job reserved no output version.");
        var metrics = new Dictionary<string, double>(job.Output?.Metrics ?? new Dictionary<string, double>(), StringComparer.Ordinal);
        var reference = new AssetVersionRef(AssetRef.Model(job.OutputModel), label);
        var version = await versions.FindAsync(reference, cancellationToken);
        if (version is null || version.Lineage?.TrainingJob != job.Id)
        {
            throw new PermanentStepException($"The output version {job.OutputModel} {label} is gone.");
        }
        if (version.Status != VersionStatus.Ready)
        {
            throw new PermanentStepException($"The output version {job.OutputModel} {label} is {EnumNames<VersionStatus>.NameOf(version.Status)}, not ready.");
        }
        await versions.ChangeAsync(reference, v => v.Lineage?.TrainingJob == job.Id && !v.Lineage.Metrics.SequenceEqual(metrics), v =>
        {
            v.Lineage = LineageOf(job, metrics);
            foreach (var (name, value) in metrics)
            {
                v.Metrics[name] = value;
            }
        }, cancellationToken);
    }

    public async Task DiscardOutputAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        if (job.OutputRegistered)
        {
            return;
        }
        if (job.OutputUploadId is { } upload)
        {
            await uploads.DiscardAsync(upload, cancellationToken);
        }
        if (job.OutputLabel is { } label
            && await versions.FindAsync(new AssetVersionRef(AssetRef.Model(job.OutputModel), label), cancellationToken) is { } version
            && version.Lineage?.TrainingJob == job.Id)
        {
            await versions.DiscardAsync(version, cancellationToken);
        }
    }

    private async Task<string> LinkAsync(AssetVersionRef version, string fileName, Uri hub, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var url = await blobs.GetReadUrlAsync(BlobKeys.ForFile(version, fileName), fileName, expiresAt, cancellationToken);
        return (url.IsAbsoluteUri ? url : new Uri(hub, url.OriginalString.TrimStart('/'))).AbsoluteUri;
    }

    private static VersionLineage LineageOf(TrainingJob job, IReadOnlyDictionary<string, double> metrics) =>
        new(job.Id, job.Model, job.Version, job.Dataset, job.DatasetVersion, job.Trainer, job.Method, job.Hyperparameters, metrics);
}
