namespace ModelsHub.Contracts.Sync;

public enum SyncRunStatus { Running, Succeeded, Failed }

/// <summary>What started a run: the <c>UpstreamSync</c> timer, or an administrator's <c>POST /api/sync</c>.</summary>
public enum SyncTrigger { Schedule, Manual }
