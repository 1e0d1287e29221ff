using Microsoft.Extensions.Options;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>
/// A fresh embedded database in a temp folder for one contract test class; or, given a folder, the
/// database there (left in place), opened unless <c>open</c> is false (to write an older schema first).
/// </summary>
public sealed class EmbeddedDatabase : IDisposable
{
    private readonly bool _ownsDirectory;
    private readonly SqliteDatabase? _database;

    public EmbeddedDatabase(string? directory = null, bool open = true)
    {
        _ownsDirectory = directory is null;
        Directory = directory ?? Path.Combine(Path.GetTempPath(), "modelshub-contracts", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        var options = new EmbeddedStorageOptions { DataDirectory = Directory };
        typeof(EmbeddedStorageOptions).GetProperty("ResolvedDataDirectory", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .SetValue(options, Directory);
        Options = Microsoft.Extensions.Options.Options.Create(options);
        _database = open ? new SqliteDatabase(Options) : null;
    }

    public string Directory { get; }

    public IOptions<EmbeddedStorageOptions> Options { get; }

    public SqliteDatabase Database => _database ?? throw new InvalidOperationException("This database was not opened.");

    public void Dispose()
    {
        _database?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsDirectory)
        {
            try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
        }
    }
}
