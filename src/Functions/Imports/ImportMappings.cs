using ModelsHub.Contracts.Imports;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Imports;

namespace ModelsHub.Functions.Imports;

public static class ImportMappings
{
    public static string PathOf(string id) => $"/api/imports/{Uri.EscapeDataString(id)}";

    public static ImportDto ToDto(this ImportView view)
    {
        var (import, workflow) = (view.Import, view.Workflow);
        var state = import.State;
        var error = import.Error;
        if (!import.IsFinished && workflow is { Status: WorkflowStatus.Failed })
        {
            // The workflow gave up (its take-back failed too often): say so rather than "running" forever.
            state = ImportState.Failed;
            error ??= workflow.LastError;
        }
        var model = $"/api/models/{Uri.EscapeDataString(import.Model)}";
        return new ImportDto(import.Id, import.Source, import.RepoId, import.Revision, import.Commit, import.Endpoint, import.Include, import.Exclude,
            state, import.Model, import.ModelCreated, import.Version,
            import.Files.Select(f => new ImportFileDto(f.Path, f.Size, f.BytesDone, f.State, f.Sha256 is not null, f.Sha256, f.VerifiedSha256)).ToList(),
            import.Files.Count, import.Files.Count(f => f.State == ImportFileState.Done), import.TotalBytes, import.BytesDone,
            import.PipelineTag, import.LibraryName, import.Gated, error, import.Notice, import.CancelRequested, import.CreatedBy,
            import.CreatedAt, import.UpdatedAt, import.StartedAt, import.FinishedAt,
            workflow is null ? null : new ImportWorkflowDto(workflow.Id, workflow.Status, workflow.Step, workflow.Attempt, workflow.NextAttemptAt, workflow.LastError),
            PathOf(import.Id), model, import.Version is null ? null : $"{model}/versions/{Uri.EscapeDataString(import.Version)}");
    }

    public static ImportPreviewDto ToDto(this HuggingFaceImportPreview preview) => new(
        preview.Repository.Id, preview.Revision, preview.Repository.Commit, preview.Repository.PipelineTag, preview.Repository.LibraryName,
        preview.Repository.Gated, preview.Repository.Private, preview.Type, preview.Framework, preview.ModelName, preview.Repository.CardData,
        preview.Files.Select(f => new PreviewFileDto(f.Path, f.Size, f.IsLfs, f.LfsSha256)).ToList(),
        preview.Skipped.Select(s => new SkippedFileDto(s.Path, s.Size, s.Reason)).ToList(),
        preview.Files.Count, preview.TotalBytes);
}
