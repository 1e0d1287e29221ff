using ModelsHub.Contracts.Training;
using ModelsHub.Core.Training;

namespace ModelsHub.Functions.Training;

public static class TrainingMappings
{
    public static string PathOf(string jobId) => $"/api/training-jobs/{Uri.EscapeDataString(jobId)}";

    public static TrainingJobDto ToDto(this TrainingJob j, DateTimeOffset now)
    {
        var failed = j.State == TrainingJobState.Failed && j.FailureReason is { } reason ? new TrainingErrorDto(reason, j.LastLogLines) : null;
        return new TrainingJobDto(j.Id, j.Name, j.Model, j.Version, j.Dataset, j.DatasetVersion, j.DatasetFormat, j.Trainer, j.Method, j.Hyperparameters, j.Compute,
            j.State, j.States.Select(s => new TrainingStateChangeDto(s.State, s.At, s.Note)).ToList(), Progress(j, now),
            j.Metrics.ToDictionary(m => m.Key, m => new TrainingMetricValueDto(m.Value.Value, m.Value.Step, m.Value.Epoch, m.Value.At), StringComparer.Ordinal),
            new TrainingOutputDto(j.OutputModel, j.OutputLabel ?? j.RequestedLabel, j.OutputRegistered ? j.OutputLabel : null, j.Output?.FileName, j.Output?.Size,
                j.Output?.Sha256, j.OutputUploadId,
                j.OutputRegistered && j.OutputLabel is { } label ? $"/api/models/{Uri.EscapeDataString(j.OutputModel)}/versions/{Uri.EscapeDataString(label)}" : null),
            failed, j.EventCount, j.CheckpointCount, j.CancelRequested, j.CreatedBy, j.CreatedAt, j.UpdatedAt, j.StartedAt, j.EndedAt, j.WorkflowId,
            PathOf(j.Id), PathOf(j.Id) + "/events");
    }

    /// <summary>The latest progress; an ETA from the pace so far when the trainer gives none.</summary>
    private static TrainingProgressDto? Progress(TrainingJob j, DateTimeOffset now)
    {
        if (j.Progress is not { } p)
        {
            return null;
        }
        var eta = p.EtaSeconds;
        if (eta is null && p.Percent is > 0 and < 100 && j.StartedAt is { } started && !j.IsEnded)
        {
            var elapsed = (p.At - started).TotalSeconds;
            eta = Math.Round(elapsed / p.Percent.Value * (100 - p.Percent.Value), 1);
        }
        return new TrainingProgressDto(p.Percent, p.Step, p.TotalSteps, p.Epoch, j.IsEnded ? 0 : eta, p.At);
    }

    public static TrainingEventDto ToDto(this TrainingEvent e)
    {
        var l = e.Line;
        return new TrainingEventDto(l.Seq, l.Type, l.At ?? e.ReceivedAt, e.ReceivedAt, l.Step, l.TotalSteps, l.Epoch, l.Percent, l.EtaSeconds, l.Name, l.Value, l.Level,
            l.Message, l.Uri, l.Size, l.Sha256, l.UploadId, l.FileName, l.Metrics);
    }

    public static TrainerDto ToDto(this TrainerDefinition t, TrainerCatalog catalog, IReadOnlyCollection<string> computes) => new(
        t.Name, t.Description, string.Equals(t.Name, catalog.Options.DefaultTrainer, StringComparison.OrdinalIgnoreCase), t.DatasetFormats, t.Methods,
        t.Hyperparameters.ToDictionary(h => h.Key, h => new HyperparameterDto(h.Value.Type, h.Value.Default, h.Value.Min, h.Value.Max,
            h.Value.Values.Count == 0 ? null : h.Value.Values, h.Value.Description), StringComparer.Ordinal),
        computes.Where(c => c == "local" ? t.Local is not null : t.Container is not null).ToList());
}
