namespace ModelsHub.Contracts.Usage;

/// <summary>Why a call failed, as usage analytics count it.</summary>
public enum UsageErrorClass { Auth, RateLimited, Timeout, ProviderError, BadRequest, Inactive }

/// <summary>What kind of call it was.</summary>
public enum UsageOperation { Test, Chat, Embeddings }

/// <summary>A report's time buckets (<c>?granularity=</c>).</summary>
public enum UsageGranularity { Hour, Day }

/// <summary>How a report splits its calls (<c>?by=</c>): not at all, per user, per version, or per model.</summary>
public enum UsageGrouping { None, User, Version, Model }

/// <summary>Latency in milliseconds: the mean, and percentiles estimated from fixed histogram buckets.</summary>
public sealed record LatencyStats(double? Mean, double? P50, double? P95, double? P99);

/// <summary>What a set of calls adds up to. <c>errors</c> counts failures per error class.</summary>
public sealed record UsageStats(
    long Calls,
    long Successes,
    double? SuccessRate,
    IReadOnlyDictionary<string, long> Errors,
    long TokensIn,
    long TokensOut,
    LatencyStats LatencyMs,
    LatencyStats? TimeToFirstTokenMs);

public sealed record UsageBucket(DateTimeOffset Start, UsageStats Stats);

public sealed record UsageGroup(string? Key, UsageStats Totals, IReadOnlyList<UsageBucket> Buckets);

/// <summary>A usage report: totals, a time series (buckets with calls) and, when split, one series per group (busiest first).</summary>
public sealed record UsageReport(
    string? Model,
    string? User,
    DateTimeOffset From,
    DateTimeOffset To,
    UsageGranularity Granularity,
    UsageGrouping By,
    UsageStats Totals,
    IReadOnlyList<UsageBucket> Buckets,
    IReadOnlyList<UsageGroup> Groups);

/// <summary>The hub-wide overview for holders of <c>usage.view</c>: totals and the busiest models and users.</summary>
public sealed record UsageOverview(DateTimeOffset From, DateTimeOffset To, UsageStats Totals, IReadOnlyList<UsageGroup> TopModels, IReadOnlyList<UsageGroup> TopUsers);

/// <summary>One recorded call (the provider's key never appears; <c>error</c> is the hub's short reason).</summary>
public sealed record UsageCallDto(
    string Id,
    DateTimeOffset At,
    string Model,
    string? Version,
    string? Deployment,
    string? User,
    string? TokenId,
    UsageOperation Operation,
    bool Streamed,
    bool Success,
    UsageErrorClass? ErrorClass,
    string? Error,
    double LatencyMs,
    double? TimeToFirstTokenMs,
    long TokensIn,
    long TokensOut);

public sealed record UsageCallsResponse(IReadOnlyList<UsageCallDto> Items);
