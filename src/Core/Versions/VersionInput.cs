using ModelsHub.Core.Common;
using ModelsHub.Core.Uploads;

namespace ModelsHub.Core.Versions;

/// <summary>
/// The fields of a new version or of a version update. On update an absent field stays as it is;
/// in <see cref="Metrics"/> a null value removes that metric.
/// </summary>
public sealed record VersionInput
{
    public Optional<string> Label { get; init; }
    public Optional<string> Notes { get; init; }
    public Optional<IReadOnlyDictionary<string, double?>> Metrics { get; init; }

    /// <summary>The first file, declared with the version so one request creates it and opens its upload.</summary>
    public Optional<UploadRequest> File { get; init; }

    /// <summary>Files the version waits for before it becomes ready (<see cref="ModelVersion.AwaitedFiles"/>); set by the hub, not read from requests.</summary>
    public IReadOnlyList<string> AwaitedFiles { get; init; } = [];
}
