using Microsoft.Extensions.Logging;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Common;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Training;

/// <summary>
/// The trainer's output through the hub's own upload protocol, with the job-scoped output URL
/// instead of a user's token: opening the upload reserves the output version's label on the job
/// first (so a crash resumes with the same version, never a second one), then adds the version and
/// opens the upload; the trainer sends its chunks to the target like any client, and names the
/// upload in its <c>output</c> event.
/// </summary>
public sealed partial class TrainingOutputs(
    ITrainingJobStore store,
    TrainingJobUpdates updates,
    ITrainingAssets assets,
    ILogger<TrainingOutputs> logger)
{
    private const int MaxLabelAttempts = 5;

    public async Task<UploadState> OpenAsync(string jobId, string? token, UploadRequest request, CancellationToken cancellationToken)
    {
        var job = await AuthorizeAsync(jobId, token, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            if (job.OutputLabel is null)
            {
                var suggested = job.RequestedLabel ?? await assets.SuggestOutputLabelAsync(job, cancellationToken);
                job = await updates.ChangeAsync(jobId, j =>
                {
                    if (j.OutputLabel is not null)
                    {
                        return false;
                    }
                    j.OutputLabel = suggested;
                    return true;
                }, cancellationToken);
                TrainingEventIngestion.RefuseIfEnded(job);
            }
            UploadState state;
            try
            {
                state = await assets.OpenOutputAsync(job, job.OutputLabel!, request, cancellationToken);
            }
            catch (ConflictException ex) when (ex.Field == "label" && job.RequestedLabel is null && attempt < MaxLabelAttempts)
            {
                // Someone added the suggested label meanwhile: take the next suggestion.
                var taken = job.OutputLabel;
                job = await updates.ChangeAsync(jobId, j =>
                {
                    if (j.OutputLabel != taken)
                    {
                        return false;
                    }
                    j.OutputLabel = null;
                    return true;
                }, cancellationToken);
                continue;
            }
            var now = updates.Clock.GetUtcNow();
            await updates.ChangeAsync(jobId, j =>
            {
                if (j.IsEnded || (j.OutputUploadId == state.Session.Id && j.State == TrainingJobState.Uploading))
                {
                    return false;
                }
                j.OutputUploadId = state.Session.Id;
                if (j.State is TrainingJobState.Queued or TrainingJobState.Starting or TrainingJobState.Running)
                {
                    j.MoveTo(TrainingJobState.Uploading, now, $"{request.FileName} ({request.Size} bytes) into {j.OutputModel} {j.OutputLabel}");
                }
                return true;
            }, cancellationToken);
            LogOpened(logger, jobId, state.Session.Id, job.OutputModel, job.OutputLabel!, request.Size);
            return state;
        }
    }

    public async Task<UploadState> GetAsync(string jobId, string? token, string uploadId, CancellationToken cancellationToken)
    {
        var job = await AuthorizeAsync(jobId, token, cancellationToken);
        if (job.OutputUploadId != uploadId)
        {
            throw new NotFoundException("Upload", uploadId);
        }
        return await assets.GetOutputUploadAsync(job, uploadId, cancellationToken);
    }

    private async Task<TrainingJob> AuthorizeAsync(string jobId, string? token, CancellationToken cancellationToken)
    {
        var job = await store.FindAsync(jobId, cancellationToken) ?? throw new NotFoundException("Training job", jobId);
        JobTokens.Demand(job, token);
        TrainingEventIngestion.RefuseIfEnded(job);
        return job;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {Job}: output upload {Upload} opened into {Model} {Label} ({Size} bytes)")]
    private static partial void LogOpened(ILogger logger, string job, string upload, string model, string label, long size);
}
