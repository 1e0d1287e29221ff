using System.Text.Json.Serialization;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Datasets;

/// <summary>
/// A dataset (seed 003 "数据集"): named, owned, private or public, of one <see cref="DatasetFormat"/>,
/// with versions on the same machinery as a model's. It also keeps what its versions show in a
/// listing (status, default version, records and size), which the version machinery maintains.
/// </summary>
public sealed class Dataset : IStoredDocument<Dataset>
{
    /// <summary>The name in lowercase: names are unique ignoring case.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string Description { get; set; } = "";

    /// <summary>What every version's file is; fixed when the dataset is created.</summary>
    public DatasetFormat Format { get; init; }

    public DatasetVisibility Visibility { get; set; } = DatasetVisibility.Private;

    public List<string> Tags { get; set; } = [];

    public required string Owner { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DatasetStatus Status { get; set; } = DatasetStatus.Empty;

    /// <summary>The version training gets by default: the newest ready one unless the owner pinned one; null while none is ready.</summary>
    public string? DefaultVersion { get; set; }

    public bool DefaultVersionPinned { get; set; }

    /// <summary>Records of the default version; null while none is ready.</summary>
    public long? RecordCount { get; set; }

    /// <summary>Size of the default version's file; null while none is ready.</summary>
    public long? SizeBytes { get; set; }

    /// <summary>Token estimate of the default version; null while none is ready (or for an archive).</summary>
    public long? TokenEstimate { get; set; }

    public int VersionCount { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    [JsonIgnore]
    public AssetRef Ref => AssetRef.Dataset(Name);

    public static string IdFor(string name) => name.ToLowerInvariant();

    /// <summary>Lowercase words a search matches: name, description, tags and format.</summary>
    [JsonIgnore]
    public string SearchText => string.Join(' ', [Name, Description, .. Tags, EnumNames<DatasetFormat>.NameOf(Format)]).ToLowerInvariant();

    public Dataset Clone()
    {
        var clone = (Dataset)MemberwiseClone();
        clone.Tags = [.. Tags];
        return clone;
    }
}
