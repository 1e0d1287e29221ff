namespace ModelsHub.Contracts.Versions;

/// <summary>Where a version is: waiting for its file, ready to use, or failed (with a reason).</summary>
public enum VersionStatus { Uploading, Ready, Failed }
