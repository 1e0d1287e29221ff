using ModelsHub.Contracts.Usage;

namespace ModelsHub.Core.Usage;

/// <summary>
/// Who and what a call was for. <see cref="Deployment"/> names a deployment when the call went to one
/// (a model version running on an inference server) rather than to an API provider.
/// </summary>
public sealed record UsageSubject(string Model, string? Version, string? Deployment);

/// <summary>One recorded test or gateway call.</summary>
public sealed record UsageRecord
{
    public required string Id { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string Model { get; init; }

    public string? Version { get; init; }

    public string? Deployment { get; init; }

    /// <summary>The caller's user id; null for an anonymous caller (who cannot call today, but the record allows it).</summary>
    public string? User { get; init; }

    /// <summary>The personal access token the call came with, when it came with one.</summary>
    public string? TokenId { get; init; }

    public required UsageOperation Operation { get; init; }

    public bool Streamed { get; init; }

    public bool Success => ErrorClass is null;

    public UsageErrorClass? ErrorClass { get; init; }

    /// <summary>A short reason for a failure (never the provider's key).</summary>
    public string? Error { get; init; }

    public required double LatencyMs { get; init; }

    /// <summary>Time to the first streamed token; null unless <see cref="Streamed"/>.</summary>
    public double? TimeToFirstTokenMs { get; init; }

    public long TokensIn { get; init; }

    public long TokensOut { get; init; }
}
