namespace ModelsHub.Contracts.Health;

public sealed record HealthResponse(string Status);

public sealed record ReadinessCheckResult(string Name, string Status, long DurationMs, string? Error);

public sealed record ReadinessResponse(string Status, IReadOnlyList<ReadinessCheckResult> Checks);
