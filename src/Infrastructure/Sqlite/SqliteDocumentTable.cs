using Microsoft.Data.Sqlite;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// The mechanics every SQLite store shares, for one kind of document in its table: the document as
/// JSON (<c>doc</c>) with its ETag (<c>etag</c>, a new one per write) beside the key and the columns
/// its queries filter and sort on. Creates, ETag-conditioned replaces and deletes turn into Core's
/// outcomes (a unique key violated → the kind's <see cref="ConflictException"/>, a changed ETag →
/// <see cref="PreconditionFailedException"/>, none there → <see cref="NotFoundException"/>); queries
/// read documents, or pages with keyset continuation tokens. A store declares its columns and holds
/// its queries.
/// </summary>
/// <example>
/// <code>
/// new SqliteDocumentTable&lt;SyncRun&gt;(database, "sync_runs", StoredDocuments.SyncRuns)
///     .Key("id", r => r.Id)
///     .Column("sequence", r => r.Sequence);
/// </code>
/// </example>
internal sealed class SqliteDocumentTable<T>(SqliteDatabase database, string table, DocumentKind<T> kind) where T : class, IStoredDocument<T>
{
    private readonly List<(string Name, Func<T, object?> Value)> _keys = [];
    private readonly List<(string Name, Func<T, object?> Value)> _columns = [];
    private string? _insert;
    private string? _update;

    public SqliteDatabase Database => database;

    public string Table => table;

    /// <summary>A key column (in the order of the primary key): finds, replaces and deletes name the document by these.</summary>
    public SqliteDocumentTable<T> Key(string column, Func<T, object?> value)
    {
        _keys.Add((column, value));
        return this;
    }

    /// <summary>A column a query filters or sorts on, written with every create and replace (null → NULL).</summary>
    public SqliteDocumentTable<T> Column(string column, Func<T, object?> value)
    {
        _columns.Add((column, value));
        return this;
    }

    /// <summary>The document with this key (values in <see cref="Key"/> order), or null.</summary>
    public Task<T?> FindAsync(CancellationToken cancellationToken, params object[] key) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = $"SELECT doc, etag FROM {table} WHERE {KeyCondition()};";
            BindKey(command, key);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    public Task<T> CreateAsync(T document, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = DocumentKind<T>.WithETag(document, NewETag());
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = _insert ??= InsertStatement();
            Bind(command, stored);
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw kind.Conflict(document);
            }
            return stored;
        }, cancellationToken);

    /// <summary>Replaces the document if it still has the ETag <paramref name="ifMatch"/>; every column is written again.</summary>
    public Task<T> ReplaceAsync(T document, string ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = DocumentKind<T>.WithETag(document, NewETag());
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = _update ??= $"UPDATE {table} SET {string.Join(", ", _columns.Select(k => k.Name).Append("etag").Append("doc").Select(n => $"{n} = ${n}"))} WHERE {KeyCondition()} AND etag = $if_match;";
            Bind(command, stored);
            command.Parameters.AddWithValue("$if_match", ifMatch);
            int changed;
            try
            {
                changed = command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw kind.Conflict(document);
            }
            if (changed == 0)
            {
                var name = kind.NameOf(document);
                throw Exists(c, tx, _keys.Select(k => k.Value(document)!).ToArray()) ? kind.Changed(name) : kind.NotFound(name);
            }
            return stored;
        }, cancellationToken);

    /// <summary>
    /// Deletes the document with this key (only if it has the ETag <paramref name="ifMatch"/>, when
    /// given); deleting what is not there succeeds. <paramref name="name"/> names it in a precondition failure.
    /// </summary>
    public Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken, params object[] key) =>
        database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = $"DELETE FROM {table} WHERE {KeyCondition()} AND ($if_match IS NULL OR etag = $if_match);";
            BindKey(command, key);
            command.Parameters.AddWithValue("$if_match", (object?)ifMatch ?? DBNull.Value);
            if (command.ExecuteNonQuery() == 0 && ifMatch is not null && Exists(c, tx, key))
            {
                throw kind.Changed(name);
            }
            return true;
        }, cancellationToken);

    /// <summary>
    /// The documents of <c>SELECT doc, etag FROM {table} {rest}</c>, in its order; <paramref name="bind"/>
    /// sets the parameters <paramref name="rest"/> names.
    /// </summary>
    public Task<List<T>> QueryAsync(string rest, Action<SqliteParameterCollection>? bind, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = $"SELECT doc, etag FROM {table} {rest};";
            bind?.Invoke(command.Parameters);
            using var reader = command.ExecuteReader();
            var documents = new List<T>();
            while (reader.Read())
            {
                documents.Add(Read(reader));
            }
            return documents;
        }, cancellationToken);

    /// <summary>
    /// One page of the documents <paramref name="filter"/> lets through (it adds conditions and binds
    /// their parameters), in <paramref name="keyset"/>'s order, continuing after the row the token names.
    /// </summary>
    public Task<Page<T>> QueryPageAsync(SqliteKeyset keyset, string? continuationToken, int pageSize,
        Action<SqliteCommand, List<string>>? filter, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            var where = new List<string>();
            filter?.Invoke(command, where);
            keyset.After(command, where, continuationToken);
            command.CommandText = $"SELECT doc, etag, {keyset.IdColumn}, {keyset.SortKeyColumn} FROM {table} {SqliteKeyset.Where(where)} ORDER BY {keyset.OrderBy} LIMIT $limit;";
            command.Parameters.AddWithValue("$limit", pageSize + 1);
            return keyset.ReadPage(command, pageSize, Read);
        }, cancellationToken);

    public static T Read(SqliteDataReader reader) => DocumentKind<T>.Deserialize(reader.GetString(0), reader.GetString(1));

    private string InsertStatement()
    {
        var columns = _keys.Concat(_columns).Select(k => k.Name).Append("etag").Append("doc").ToList();
        return $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(n => "$" + n))});";
    }

    private static string NewETag() => Guid.NewGuid().ToString("N");

    private string KeyCondition() => string.Join(" AND ", _keys.Select(k => $"{k.Name} = ${k.Name}"));

    private void BindKey(SqliteCommand command, object[] key)
    {
        if (key.Length != _keys.Count)
        {
            throw new ArgumentException($"The {table} table's key has {_keys.Count} columns, not {key.Length}.", nameof(key));
        }
        for (var i = 0; i < key.Length; i++)
        {
            command.Parameters.AddWithValue("$" + _keys[i].Name, key[i]);
        }
    }

    private void Bind(SqliteCommand command, T document)
    {
        foreach (var (name, value) in _keys.Concat(_columns))
        {
            command.Parameters.AddWithValue("$" + name, value(document) ?? DBNull.Value);
        }
        command.Parameters.AddWithValue("$etag", document.ETag);
        command.Parameters.AddWithValue("$doc", DocumentKind<T>.Serialize(document));
    }

    private bool Exists(SqliteConnection connection, SqliteTransaction transaction, object[] key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT 1 FROM {table} WHERE {KeyCondition()};";
        BindKey(command, key);
        return command.ExecuteScalar() is not null;
    }
}
