using System.Text.Json.Serialization;
using ModelsHub.Contracts.Training;

namespace ModelsHub.Core.Training;

/// <summary>
/// One event of a job as stored: the trainer's line (<see cref="Line"/>, its sequence number and
/// type among it) and when the hub received it. Events are appended once per (job, seq) and never change.
/// </summary>
public sealed record TrainingEvent(string JobId, TrainerEvent Line, DateTimeOffset ReceivedAt)
{
    [JsonIgnore]
    public long Seq => Line.Seq;

    [JsonIgnore]
    public TrainerEventType Type => Line.Type;

    /// <summary>Events are kept in pages of this many sequence numbers (a Cosmos partition per page: none grows without bound).</summary>
    public const long PageSize = 1000;

    public static long PageOf(long seq) => seq / PageSize;
}

/// <summary>What appending a batch did: the lines stored now, and the ones the store already held (identical: a resend).</summary>
public sealed record AppendResult(IReadOnlyList<TrainingEvent> Stored, int Duplicates);
