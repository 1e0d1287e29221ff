using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// The embedded profile's one SQLite file. Reads run concurrently (WAL); writes go through one
/// in-process gate, because the embedded profile is a single process and SQLite has one writer.
/// </summary>
public sealed class SqliteDatabase : IReadinessCheck, IDisposable
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _connectionString;
    private readonly Lock _versionGate = new();
    private SqliteConnection? _versionConnection;

    public SqliteDatabase(IOptions<EmbeddedStorageOptions> options)
    {
        var path = options.Value.DatabasePath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        foreach (var migration in SqliteSchema.Migrations(table => TableExists(connection, table), (table, column) => ColumnExists(connection, table, column)))
        {
            Execute(connection, migration);
        }
        Execute(connection, SqliteSchema.Script);
    }

    private static bool TableExists(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $table;";
        command.Parameters.AddWithValue("$table", table);
        return command.ExecuteScalar() is not null;
    }

    private static bool ColumnExists(SqliteConnection connection, string table, string column)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM pragma_table_info($table) WHERE name = $column;";
        command.Parameters.AddWithValue("$table", table);
        command.Parameters.AddWithValue("$column", column);
        return command.ExecuteScalar() is not null;
    }

    public string Name => "sqlite";

    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return read(connection);
    }

    /// <summary>Runs <paramref name="write"/> in a transaction, alone among this process's writers.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            // Durable against a process crash, which is what the embedded profile promises; fsync per
            // checkpoint rather than per commit.
            Execute(connection, "PRAGMA synchronous=NORMAL;");
            using var transaction = connection.BeginTransaction();
            var result = write(connection, transaction);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// SQLite's <c>data_version</c> on one long-lived connection: it changes whenever any other
    /// connection commits, this process's or another's, so a cache can notice foreign writes.
    /// </summary>
    public long DataVersion()
    {
        lock (_versionGate)
        {
            if (_versionConnection is null)
            {
                var connection = new SqliteConnection(_connectionString);
                connection.Open();
                _versionConnection = connection;
            }
            return Convert.ToInt64(Scalar(_versionConnection, "PRAGMA data_version;"));
        }
    }

    public Task CheckAsync(CancellationToken cancellationToken) =>
        ReadAsync(c => Convert.ToInt64(Scalar(c, "SELECT count(*) FROM sqlite_master;")), cancellationToken);

    public void Dispose()
    {
        lock (_versionGate)
        {
            _versionConnection?.Dispose();
            _versionConnection = null;
        }
        _writeGate.Dispose();
    }

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>A time as a sort key in microseconds: writes within one millisecond must still sort in order.</summary>
    internal static long SortKey(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    internal static bool IsUniqueViolation(SqliteException ex) =>
        ex.SqliteErrorCode == 19 && ex.SqliteExtendedErrorCode is 1555 or 2067;
}
