using System.Text.Json.Serialization;

namespace ModelsHub.Contracts.Datasets;

/// <summary>What a dataset's files are; every version of a dataset has its format.</summary>
public enum DatasetFormat
{
    /// <summary>JSON Lines, each line <c>{"messages": [{"role", "content"}, …]}</c> (the chat fine-tuning format).</summary>
    [JsonStringEnumMemberName("jsonl-chat")] JsonlChat,

    /// <summary>JSON Lines, each line <c>{"prompt", "completion"}</c> or <c>{"instruction", "input"?, "output"}</c>.</summary>
    [JsonStringEnumMemberName("jsonl-completion")] JsonlCompletion,

    /// <summary>Comma-separated values with a header row.</summary>
    [JsonStringEnumMemberName("csv")] Csv,

    /// <summary>Apache Parquet.</summary>
    [JsonStringEnumMemberName("parquet")] Parquet,

    /// <summary>A <c>.zip</c>, <c>.tar</c> or <c>.tar.gz</c> of files (images, audio, …): listed, not read as records.</summary>
    [JsonStringEnumMemberName("archive")] Archive,
}

/// <summary>Who sees a dataset: its owner (and administrators) only, or everyone.</summary>
public enum DatasetVisibility { Private, Public }

/// <summary>
/// Where a dataset is, from its versions: <see cref="Ready"/> while it has a ready version (training
/// offers those), else the state of its newest version; <see cref="Empty"/> before its first version.
/// </summary>
public enum DatasetStatus { Empty, Uploading, Validating, Ready, Invalid, Failed }

public enum DatasetSort { Name, Updated, Created }
