using System.Formats.Tar;
using System.IO.Compression;

namespace ModelsHub.Core.Datasets.Validation;

/// <summary>
/// archive: a <c>.zip</c>, <c>.tar</c> or <c>.tar.gz</c>/<c>.tgz</c> (by its name) is listed, not
/// extracted: its regular files, their count and total size. An archive that does not read, holds no
/// file, or names a file outside itself (an absolute path or <c>..</c>) is invalid.
/// </summary>
internal static class ArchiveListing
{
    public const int MaxListedEntries = 1_000;

    public static async Task ReadAsync(Stream stream, string fileName, ValidationReport report, CancellationToken cancellationToken)
    {
        var entries = new List<ArchiveEntry>();
        long files = 0, total = 0;
        void Add(string path, long size)
        {
            if (IsOutside(path))
            {
                report.AddError(null, $"Entry '{JsonText.Shorten(path)}' points outside the archive (an absolute path or '..').");
            }
            files++;
            total += size;
            if (entries.Count < MaxListedEntries)
            {
                entries.Add(new ArchiveEntry(path, size));
            }
        }

        var lower = fileName.ToLowerInvariant();
        var kind = lower.EndsWith(".zip", StringComparison.Ordinal) ? "zip" : "tar";
        try
        {
            if (kind == "zip")
            {
                await using var zip = await ZipArchive.CreateAsync(stream, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken);
                foreach (var entry in zip.Entries)
                {
                    if (!entry.FullName.EndsWith('/'))
                    {
                        Add(entry.FullName, entry.Length);
                    }
                }
            }
            else
            {
                var gzip = lower.EndsWith(".tar.gz", StringComparison.Ordinal) || lower.EndsWith(".tgz", StringComparison.Ordinal);
                await using var source = gzip ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true) : null;
                await using var tar = new TarReader(source ?? stream, leaveOpen: true);
                while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
                {
                    if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
                    {
                        Add(entry.Name, entry.Length);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or IOException)
        {
            report.AddError(null, $"Is not a readable {(kind == "zip" ? "zip" : lower.EndsWith(".tar", StringComparison.Ordinal) ? "tar" : "tar.gz")} archive: {ex.Message}");
            return;
        }
        report.Archive = new ArchiveContents(files, total, entries, files > entries.Count);
        if (files == 0)
        {
            report.AddError(null, "Holds no files.");
        }
    }

    private static bool IsOutside(string path)
    {
        var normalized = path.Replace('\\', '/');
        return normalized.StartsWith('/') || (normalized.Length > 1 && normalized[1] == ':')
            || normalized.Split('/').Any(segment => segment == "..");
    }
}
