using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Common;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Training;

/// <summary>
/// Takes a trainer's event lines (the contract's events URL). Each (job, seq) is stored once: a line
/// the hub already holds is acknowledged if identical (a batch resent after a lost answer) and is
/// out of order otherwise. Lines of one batch must come in rising order, and nothing may follow the
/// <c>output</c> line. A malformed or out-of-order line fails the job with the reason (and is a 400
/// naming the line); lines for an ended job are refused (409). Batches may arrive on several
/// connections at once: what they say is merged into the job's summary (state, progress, latest
/// metrics, last log lines) by one writer per job at a time in this process.
/// </summary>
public sealed partial class TrainingEventIngestion(
    ITrainingJobStore jobs,
    ITrainingEventStore events,
    TrainingJobUpdates updates,
    TrainingLiveFeed feed,
    WorkflowStarter workflows,
    TimeProvider clock,
    ILogger<TrainingEventIngestion> logger)
{
    private readonly ConcurrentDictionary<string, Summary> _summaries = new(StringComparer.Ordinal);

    public async Task<TrainerEventsAccepted> IngestAsync(string jobId, string? token, string body, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(jobId, cancellationToken) ?? throw new NotFoundException("Training job", jobId);
        JobTokens.Demand(job, token);
        RefuseIfEnded(job);
        IReadOnlyList<TrainerEvent> lines;
        try
        {
            lines = TrainerEventParser.Parse(body);
            CheckOrder(lines, job);
        }
        catch (ValidationException ex) when (ex.Errors.Keys.Any(k => k.StartsWith("events[", StringComparison.Ordinal)))
        {
            var (field, messages) = ex.Errors.First();
            await FailAsync(jobId, $"The trainer posted a malformed or out-of-order event ({field}: {string.Join(" ", messages)}).", cancellationToken);
            throw;
        }

        var now = clock.GetUtcNow();
        var batch = lines.Select(l => new TrainingEvent(jobId, l with { At = l.At ?? now }, now)).ToList();
        var (stored, existing) = await events.AppendAsync(jobId, batch, cancellationToken);
        foreach (var held in existing)
        {
            var sent = batch.First(b => b.Seq == held.Seq);
            if (!Same(held.Line, sent.Line))
            {
                var reason = $"The trainer posted event seq {sent.Seq} twice with different content (out of order: each seq numbers one event).";
                await FailAsync(jobId, reason, cancellationToken);
                throw new ValidationException($"events[{batch.IndexOf(sent)}].seq", reason);
            }
        }
        // Resent lines are merged again: the answer to their first post may have been lost before the summary was written.
        var saved = await MergeAsync(jobId, [.. stored, .. existing.Select(h => batch.First(b => b.Seq == h.Seq))], stored.Count, cancellationToken);
        if (stored.Count > 0)
        {
            feed.Pulse(jobId);
        }
        if (lines[^1].Type == TrainerEventType.Output)
        {
            // The workflow waits between looks at the trainer: the output is worth collecting now.
            await workflows.WakeAsync(job.WorkflowId, cancellationToken);
        }
        return new TrainerEventsAccepted(stored.Count, saved.LastSeq);
    }

    /// <summary>Throws the contract's 409 when the job has ended: its trainer must stop.</summary>
    public static void RefuseIfEnded(TrainingJob job)
    {
        if (job.IsEnded)
        {
            throw new ConflictException($"Training job '{job.Id}' has ended ({EnumNames<TrainingJobState>.NameOf(job.State)}); it takes no more events or output.");
        }
    }

    private static void CheckOrder(IReadOnlyList<TrainerEvent> lines, TrainingJob job)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0 && lines[i].Seq <= lines[i - 1].Seq)
            {
                throw new ValidationException($"events[{i}].seq", $"Seq {lines[i].Seq} follows {lines[i - 1].Seq}: lines are numbered in the order they are written.");
            }
            if (lines[i].Type == TrainerEventType.Output && i < lines.Count - 1)
            {
                throw new ValidationException($"events[{i + 1}]", "Nothing may follow the output event: it is the trainer's last line.");
            }
            if (job.Output is { } output && lines[i].Seq > output.Seq)
            {
                throw new ValidationException($"events[{i}].seq", $"Seq {lines[i].Seq} comes after the output event (seq {output.Seq}), which is the trainer's last line.");
            }
            if (lines[i].Type == TrainerEventType.Output && job.Output is { } other && other.Seq != lines[i].Seq)
            {
                throw new ValidationException($"events[{i}]", $"The trainer already posted its output (seq {other.Seq}).");
            }
        }
    }

    private static bool Same(TrainerEvent a, TrainerEvent b) =>
        JsonSerializer.Serialize(a with { At = null }, ContractJson.Options) == JsonSerializer.Serialize(b with { At = null }, ContractJson.Options);

    private async Task FailAsync(string jobId, string reason, CancellationToken cancellationToken)
    {
        LogRefused(logger, jobId, reason);
        var job = await updates.EndAsync(jobId, TrainingJobState.Failed, reason, CancellationToken.None);
        // Its workflow stops the trainer and takes back what the job put into the output model.
        await workflows.WakeAsync(job.WorkflowId, CancellationToken.None);
    }

    /// <summary>
    /// Adds the lines to the job's pending summary and writes it: whoever holds the job's gate writes
    /// everything pending, so concurrent batches share writes instead of racing on the job's ETag.
    /// </summary>
    private async Task<TrainingJob> MergeAsync(string jobId, IReadOnlyList<TrainingEvent> lines, int newlyStored, CancellationToken cancellationToken)
    {
        var summary = _summaries.GetOrAdd(jobId, _ => new Summary());
        var mine = summary.Add(lines, newlyStored);
        await summary.Gate.WaitAsync(cancellationToken);
        try
        {
            if (summary.WrittenThrough >= mine && summary.LastWritten is { } written)
            {
                return written;
            }
            var (pending, through) = summary.Take();
            var saved = await updates.ChangeAsync(jobId, job => Apply(job, pending), cancellationToken);
            summary.Written(through, saved);
            return saved;
        }
        finally
        {
            summary.Gate.Release();
        }
    }

    private bool Apply(TrainingJob job, Pending pending)
    {
        if (job.IsEnded)
        {
            return false;
        }
        var now = clock.GetUtcNow();
        if (job.State is TrainingJobState.Queued or TrainingJobState.Starting)
        {
            job.MoveTo(TrainingJobState.Running, now, "the trainer reported");
        }
        job.EventCount += pending.NewlyStored;
        job.LastSeq = Math.Max(job.LastSeq, pending.MaxSeq);
        foreach (var e in pending.Lines)
        {
            var line = e.Line;
            switch (line.Type)
            {
                case TrainerEventType.Progress when job.Progress is null || job.Progress.Seq < line.Seq:
                    job.Progress = new TrainingProgress(line.Percent ?? PercentOf(line), line.Step, line.TotalSteps, line.Epoch, line.EtaSeconds, line.At ?? e.ReceivedAt, line.Seq);
                    break;
                case TrainerEventType.Metric when !job.Metrics.TryGetValue(line.Name!, out var held) || held.Seq < line.Seq:
                    job.Metrics[line.Name!] = new TrainingMetricValue(line.Value!.Value, line.Step, line.Epoch, line.At ?? e.ReceivedAt, line.Seq);
                    break;
                case TrainerEventType.Log:
                    job.AddLogLine($"{line.Level ?? "info"}: {line.Message}");
                    break;
                case TrainerEventType.Checkpoint:
                    job.CheckpointCount++;
                    break;
                case TrainerEventType.Output when job.Output is null:
                    job.Output = new TrainingOutputFile(line.UploadId!, line.FileName!, line.Size!.Value, line.Sha256!, new(line.Metrics ?? new Dictionary<string, double>()), line.Seq);
                    foreach (var (name, value) in line.Metrics ?? new Dictionary<string, double>())
                    {
                        job.Metrics[name] = new TrainingMetricValue(value, job.Progress?.Step, job.Progress?.Epoch, line.At ?? e.ReceivedAt, line.Seq);
                    }
                    break;
            }
        }
        return true;
    }

    private static double? PercentOf(TrainerEvent line) =>
        line is { Step: { } step, TotalSteps: { } total } ? Math.Round(100.0 * Math.Min(step, total) / total, 2) : null;

    private sealed record Pending(List<TrainingEvent> Lines, long MaxSeq, int NewlyStored);

    /// <summary>What batches of one job told this process that is not written to the job yet.</summary>
    private sealed class Summary
    {
        private readonly Lock _lock = new();
        private List<TrainingEvent> _lines = [];
        private long _maxSeq;
        private int _newlyStored;
        private long _added;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public long WrittenThrough { get; private set; }

        public TrainingJob? LastWritten { get; private set; }

        public long Add(IReadOnlyList<TrainingEvent> lines, int newlyStored)
        {
            lock (_lock)
            {
                // Log lines are summarized in seq order, whatever order batches came in.
                _lines.AddRange(lines);
                _maxSeq = Math.Max(_maxSeq, lines.Count == 0 ? 0 : lines.Max(l => l.Seq));
                _newlyStored += newlyStored;
                return ++_added;
            }
        }

        public (Pending Pending, long Through) Take()
        {
            lock (_lock)
            {
                var pending = new Pending([.. _lines.OrderBy(l => l.Seq)], _maxSeq, _newlyStored);
                _lines = [];
                _maxSeq = 0;
                _newlyStored = 0;
                return (pending, _added);
            }
        }

        public void Written(long through, TrainingJob job)
        {
            WrittenThrough = through;
            LastWritten = job;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {Job}: events refused, the job fails: {Reason}")]
    private static partial void LogRefused(ILogger logger, string job, string reason);
}
