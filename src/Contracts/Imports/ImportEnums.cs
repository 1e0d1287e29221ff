namespace ModelsHub.Contracts.Imports;

/// <summary>Where an import is: waiting for its first step, copying, or finished one way or another.</summary>
public enum ImportState { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>Where one file of an import is.</summary>
public enum ImportFileState { Pending, Copying, Verifying, Done, Failed }
