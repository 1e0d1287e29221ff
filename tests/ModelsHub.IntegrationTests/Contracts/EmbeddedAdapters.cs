using Microsoft.Extensions.Options;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>A fresh embedded database in a temp folder for one contract test class.</summary>
public sealed class EmbeddedDatabase : IDisposable
{
    public EmbeddedDatabase()
    {
        var options = new EmbeddedStorageOptions { DataDirectory = Directory };
        typeof(EmbeddedStorageOptions).GetProperty("ResolvedDataDirectory", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .SetValue(options, Directory);
        Options = Microsoft.Extensions.Options.Options.Create(options);
        Database = new SqliteDatabase(Options);
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "modelshub-contracts", Guid.NewGuid().ToString("N"));

    public IOptions<EmbeddedStorageOptions> Options { get; }

    public SqliteDatabase Database { get; }

    public void Dispose()
    {
        Database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
