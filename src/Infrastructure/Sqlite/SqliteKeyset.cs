using Microsoft.Data.Sqlite;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// Keyset paging over a sort key (an integer column, or none: by id alone) and the id as tiebreak:
/// a page continues after the last row's key and id, which its token carries with the listing's
/// fingerprint (<see cref="ContinuationTokens"/>), so pages stay stable while rows are added.
/// </summary>
internal sealed class SqliteKeyset(string fingerprint, string? sortColumn = null, bool descending = false, string idColumn = "id")
{
    public string IdColumn => idColumn;

    /// <summary>What a query selects as the row's sort key (<c>0</c> when it sorts by id alone).</summary>
    public string SortKeyColumn => sortColumn ?? "0";

    public string OrderBy
    {
        get
        {
            var direction = descending ? "DESC" : "ASC";
            return sortColumn is null ? $"{idColumn} {direction}" : $"{sortColumn} {direction}, {idColumn} {direction}";
        }
    }

    public static string Where(List<string> conditions) => conditions.Count > 0 ? "WHERE " + string.Join(" AND ", conditions) : "";

    /// <summary>Adds the condition "after the row the token names" (a 400 on a token this listing did not issue).</summary>
    public void After(SqliteCommand command, List<string> where, string? continuationToken)
    {
        if (ContinuationTokens.Decode(continuationToken, fingerprint) is not { } after)
        {
            return;
        }
        var op = descending ? "<" : ">";
        command.Parameters.AddWithValue("$after_id", after.Id);
        if (sortColumn is null)
        {
            where.Add($"{idColumn} {op} $after_id");
        }
        else
        {
            command.Parameters.AddWithValue("$after_key", after.N ?? 0);
            where.Add($"({sortColumn} {op} $after_key OR ({sortColumn} = $after_key AND {idColumn} {op} $after_id))");
        }
    }

    /// <summary>
    /// Reads up to <paramref name="pageSize"/> rows of a query that asked for one more (<c>LIMIT pageSize + 1</c>)
    /// and selected <see cref="IdColumn"/> and <see cref="SortKeyColumn"/> as its third and fourth columns.
    /// </summary>
    public Page<TItem> ReadPage<TItem>(SqliteCommand command, int pageSize, Func<SqliteDataReader, TItem> read)
    {
        var items = new List<TItem>(pageSize);
        string? lastId = null;
        long lastKey = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (items.Count == pageSize)
            {
                return new Page<TItem>(items, Next(lastId!, lastKey));
            }
            items.Add(read(reader));
            lastId = reader.GetString(2);
            lastKey = reader.GetInt64(3);
        }
        return new Page<TItem>(items, null);
    }

    public string Next(string lastId, long lastKey) => ContinuationTokens.Encode(fingerprint, lastId, sortColumn is null ? null : lastKey);
}
