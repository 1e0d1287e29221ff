namespace ModelsHub.Contracts.Versions;

/// <summary>
/// Where a version is. Every kind starts <see cref="Uploading"/> until its first file is verified; a
/// model's version is then <see cref="Ready"/>, a dataset's is <see cref="Validating"/> until its
/// validation ends <see cref="Ready"/> or <see cref="Invalid"/> (with the first errors).
/// <see cref="Failed"/>: its file never arrived intact (with the reason).
/// </summary>
public enum VersionStatus { Uploading, Validating, Ready, Invalid, Failed }
