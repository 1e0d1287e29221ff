using Microsoft.Extensions.Options;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Settings of the embedded profile (section <c>Storage:Embedded</c>).</summary>
public sealed class EmbeddedStorageOptions
{
    public const string Section = "Storage:Embedded";

    /// <summary>Folder for the SQLite file and the model blobs; relative paths start at the content root.</summary>
    public string DataDirectory { get; set; } = ".data";

    public string DatabaseFileName { get; set; } = "modelshub.db";

    /// <summary>Serve repeated catalog reads from memory (exact: every write empties it).</summary>
    public bool ReadCache { get; set; } = true;

    /// <summary>Resolved absolute data folder (set after binding).</summary>
    internal string ResolvedDataDirectory { get; set; } = "";

    public string DatabasePath => Path.Combine(ResolvedDataDirectory, DatabaseFileName);

    public string BlobDirectory => Path.Combine(ResolvedDataDirectory, "blobs");
}

internal sealed class EmbeddedStorageOptionsValidator : IValidateOptions<EmbeddedStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedStorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            return ValidateOptionsResult.Fail($"{EmbeddedStorageOptions.Section}:DataDirectory must name a folder.");
        }
        if (string.IsNullOrWhiteSpace(options.DatabaseFileName) || options.DatabaseFileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            return ValidateOptionsResult.Fail($"{EmbeddedStorageOptions.Section}:DatabaseFileName must be a plain file name.");
        }
        try
        {
            Directory.CreateDirectory(options.ResolvedDataDirectory);
            var probe = Path.Combine(options.ResolvedDataDirectory, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return ValidateOptionsResult.Fail($"{EmbeddedStorageOptions.Section}:DataDirectory '{options.ResolvedDataDirectory}' is not a writable folder: {ex.Message}");
        }
        return ValidateOptionsResult.Success;
    }
}
