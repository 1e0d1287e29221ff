using Microsoft.Data.Sqlite;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// The embedded work queue: a table with a visible-at time and a dequeue count, like a Storage
/// Queue. Receiving stamps a fresh receipt, so a late completion by an earlier reader is ignored.
/// </summary>
public sealed class SqliteWorkQueue(SqliteDatabase database, TimeProvider clock) : IWorkQueue
{
    public Task EnqueueAsync(string body, TimeSpan? delay, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var now = clock.GetUtcNow();
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO work_queue (body, visible_at, inserted_at) VALUES ($body, $visible_at, $now);";
            command.Parameters.AddWithValue("$body", body);
            command.Parameters.AddWithValue("$visible_at", (now + (delay ?? TimeSpan.Zero)).ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<WorkItem>> ReceiveAsync(int maxItems, TimeSpan visibilityTimeout, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<WorkItem>>((c, tx) =>
        {
            var now = clock.GetUtcNow();
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                UPDATE work_queue SET visible_at = $until, dequeue_count = dequeue_count + 1, receipt = lower(hex(randomblob(12)))
                WHERE id IN (SELECT id FROM work_queue WHERE visible_at <= $now ORDER BY visible_at, id LIMIT $max)
                RETURNING id, body, dequeue_count, receipt, inserted_at;
                """;
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$until", (now + visibilityTimeout).ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$max", maxItems);
            var items = new List<WorkItem>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                items.Add(new WorkItem(
                    reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    reader.GetString(1),
                    reader.GetInt32(2),
                    reader.GetString(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }
            return items;
        }, cancellationToken);

    public Task CompleteAsync(WorkItem item, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => Run(c, tx, "DELETE FROM work_queue WHERE id = $id AND receipt = $receipt;", item), cancellationToken);

    public Task ReleaseAsync(WorkItem item, TimeSpan delay, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => Run(c, tx, "UPDATE work_queue SET visible_at = $visible_at WHERE id = $id AND receipt = $receipt;", item,
            ("$visible_at", (clock.GetUtcNow() + delay).ToUnixTimeMilliseconds())), cancellationToken);

    public Task MoveToPoisonAsync(WorkItem item, string reason, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var moved = Run(c, tx, """
                INSERT INTO work_queue_poison (id, body, dequeue_count, reason, inserted_at, poisoned_at)
                SELECT id, body, dequeue_count, $reason, inserted_at, $now FROM work_queue WHERE id = $id AND receipt = $receipt;
                """, item, ("$reason", reason), ("$now", clock.GetUtcNow().ToUnixTimeMilliseconds()));
            return moved + Run(c, tx, "DELETE FROM work_queue WHERE id = $id AND receipt = $receipt;", item);
        }, cancellationToken);

    public Task<int> CountAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(c => Convert.ToInt32(SqliteDatabase.Scalar(c, "SELECT count(*) FROM work_queue;")), cancellationToken);

    private static int Run(SqliteConnection c, SqliteTransaction tx, string sql, WorkItem item, params (string Name, object Value)[] extra)
    {
        using var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", long.Parse(item.MessageId, System.Globalization.CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$receipt", item.Receipt);
        foreach (var (name, value) in extra)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command.ExecuteNonQuery();
    }
}
