namespace ModelsHub.Contracts.Uploads;

/// <summary>
/// Where an upload is. <see cref="Open"/>: chunks arrive. <see cref="Completing"/>: one worker holds
/// the lease and commits and hashes. <see cref="Verified"/>: the hash is known good and the file is
/// being published. <see cref="Completed"/> and <see cref="Failed"/> are final.
/// </summary>
public enum UploadStatus { Open, Completing, Verified, Completed, Failed }
