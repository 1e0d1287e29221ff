using System.Text.Json.Serialization;

namespace ModelsHub.Core.Datasets;

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

public static class DatasetFormats
{
    /// <summary>The file extensions a version of a dataset of <paramref name="format"/> accepts.</summary>
    public static IReadOnlyList<string> Extensions(this DatasetFormat format) => format switch
    {
        DatasetFormat.JsonlChat or DatasetFormat.JsonlCompletion => [".jsonl"],
        DatasetFormat.Csv => [".csv"],
        DatasetFormat.Parquet => [".parquet"],
        DatasetFormat.Archive => [".zip", ".tar", ".tar.gz", ".tgz"],
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Whether a file of the format holds records (an archive holds files).</summary>
    public static bool HasRecords(this DatasetFormat format) => format != DatasetFormat.Archive;
}
