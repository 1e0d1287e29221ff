using ModelsHub.Contracts.Datasets;

namespace ModelsHub.Core.Datasets;

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
