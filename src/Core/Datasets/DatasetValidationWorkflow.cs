using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Versions;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Datasets;

/// <summary>
/// Validates the verified file of a dataset version on the workflow runner (one step, <c>validate</c>):
/// streams it through <see cref="DatasetValidator"/> and records the result on the version, which
/// becomes ready or invalid. The step is idempotent: it records only on the version it was started
/// for, still validating that file; run again after a crash it reads the file again and records the
/// same result. A file that cannot be read on the last try leaves the version invalid with the reason
/// rather than validating for ever.
/// </summary>
public sealed partial class DatasetValidationWorkflow(
    IDatasetStore datasets,
    IVersionStore versionStore,
    VersionCatalog versions,
    IBlobStore blobs,
    DatasetValidator validator,
    IOptions<WorkflowOptions> options,
    TimeProvider clock,
    ILogger<DatasetValidationWorkflow> logger) : IWorkflowDefinition
{
    public const string KindName = "dataset-validation";

    public static class Steps
    {
        public const string Validate = "validate";
    }

    public static class Data
    {
        public const string Dataset = "dataset";
        public const string Version = "version";
        public const string File = "file";
        public const string Sha256 = "sha256";
    }

    public string Kind => KindName;

    public string FirstStep => Steps.Validate;

    public async Task<StepOutcome> RunStepAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        if (instance.Step != Steps.Validate)
        {
            throw new PermanentStepException($"Unknown step '{instance.Step}'.");
        }
        var name = instance.Get(Data.Dataset) ?? throw new PermanentStepException("The workflow lost its dataset.");
        var label = instance.Get(Data.Version) ?? throw new PermanentStepException("The workflow lost its version.");
        var fileName = instance.Get(Data.File) ?? throw new PermanentStepException("The workflow lost its file.");
        var sha = instance.Get(Data.Sha256) ?? throw new PermanentStepException("The workflow lost its file's SHA-256.");
        var target = new AssetVersionRef(AssetRef.Dataset(name), label);

        var dataset = await datasets.FindAsync(name, cancellationToken);
        var version = await versionStore.FindAsync(target.Asset, label, cancellationToken);
        if (dataset is null || version is null || !IsAwaiting(version, fileName, sha))
        {
            return StepOutcome.Complete(note: $"Nothing to validate: {target} is gone or no longer waits for this file.");
        }

        DatasetValidation result;
        try
        {
            var file = version.FindFile(fileName)!;
            var content = await blobs.OpenReadAsync(BlobKeys.ForFile(target, fileName), cancellationToken);
            await using (content.Content)
            {
                result = await validator.ValidateAsync(content.Content, content.Length, dataset.Format, file.Name, sha, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && (ex is NotFoundException || instance.Attempt + 1 >= options.Value.MaxAttempts))
        {
            // The file is gone, or reading it kept failing: say so on the version instead of leaving it validating.
            await RecordAsync(target, fileName, sha, VersionStatus.Invalid, null, $"The file could not be read for validation: {ex.Message}", cancellationToken);
            return StepOutcome.Complete(note: $"{target}: the file could not be read ({ex.Message}).");
        }

        var status = result.IsValid ? VersionStatus.Ready : VersionStatus.Invalid;
        var recorded = await RecordAsync(target, fileName, sha, status, result, result.IsValid ? null : result.Summary(), cancellationToken);
        LogValidated(logger, name, label, status, result.RecordCount, result.ErrorCount, (long)(result.FinishedAt - result.StartedAt).TotalMilliseconds);
        return StepOutcome.Complete(note: recorded
            ? $"{EnumNames<VersionStatus>.NameOf(status)}: {result.RecordCount} records, {result.ErrorCount} errors."
            : $"{target} changed while it was validated; nothing recorded.");
    }

    private static bool IsAwaiting(AssetVersion version, string fileName, string sha) =>
        version.Status == VersionStatus.Validating && version.Files.Any(f => f.Name == fileName && f.Sha256 == sha);

    private Task<bool> RecordAsync(AssetVersionRef target, string fileName, string sha, VersionStatus status, DatasetValidation? result, string? reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return versions.ChangeAsync(target, v => IsAwaiting(v, fileName, sha), v =>
        {
            v.Status = status;
            v.Validation = result;
            v.FailureReason = reason;
            if (status == VersionStatus.Ready)
            {
                v.ReadyAt ??= now;
            }
        }, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {Dataset} version {Label} validated: {Status}, {Records} records, {Errors} errors in {Milliseconds} ms")]
    private static partial void LogValidated(ILogger logger, string dataset, string label, VersionStatus status, long records, long errors, long milliseconds);
}
