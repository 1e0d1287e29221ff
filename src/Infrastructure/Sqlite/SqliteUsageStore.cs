using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Usage;
using ModelsHub.Core.Common;
using ModelsHub.Core.Usage;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// Recorded calls and hourly and daily rollups in <c>usage_calls</c> and <c>usage_rollups</c>. A batch is one
/// transaction: the calls are inserted and each rollup read, added to and written back while the
/// database's writer lock is held, so concurrent batches (this process's or another's) all count.
/// </summary>
public sealed class SqliteUsageStore(SqliteDatabase database, IOptions<UsageOptions> options, TimeProvider clock) : IUsageStore
{
    private long _nextSweepTicks;

    public Task RecordAsync(IReadOnlyList<UsageRecord> calls, IReadOnlyList<UsageRollup> deltas, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            // BEGIN IMMEDIATE semantics: take the write lock before the first read of a rollup.
            SqliteDatabase.Execute(c, "DELETE FROM usage_rollups WHERE 0;", tx);
            using (var insert = c.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = "INSERT OR IGNORE INTO usage_calls (id, model, at, failed, doc) VALUES ($id, $model, $at, $failed, $doc);";
                var id = insert.Parameters.Add("$id", SqliteType.Text);
                var model = insert.Parameters.Add("$model", SqliteType.Text);
                var at = insert.Parameters.Add("$at", SqliteType.Integer);
                var failed = insert.Parameters.Add("$failed", SqliteType.Integer);
                var doc = insert.Parameters.Add("$doc", SqliteType.Text);
                foreach (var call in calls)
                {
                    id.Value = call.Id;
                    model.Value = call.Model.ToLowerInvariant();
                    at.Value = SqliteDatabase.SortKey(call.At);
                    failed.Value = call.Success ? 0 : 1;
                    doc.Value = JsonSerializer.Serialize(call, HubJson.Options);
                    insert.ExecuteNonQuery();
                }
            }
            using var read = c.CreateCommand();
            read.Transaction = tx;
            read.CommandText = "SELECT doc FROM usage_rollups WHERE key = $key;";
            var readKey = read.Parameters.Add("$key", SqliteType.Text);
            using var write = c.CreateCommand();
            write.Transaction = tx;
            write.CommandText = "INSERT OR REPLACE INTO usage_rollups (key, span, start, model, user_id, doc) VALUES ($key, $span, $start, $model, $user, $doc);";
            var key = write.Parameters.Add("$key", SqliteType.Text);
            var span = write.Parameters.Add("$span", SqliteType.Text);
            var start = write.Parameters.Add("$start", SqliteType.Integer);
            var rollupModel = write.Parameters.Add("$model", SqliteType.Text);
            var user = write.Parameters.Add("$user", SqliteType.Text);
            var rollupDoc = write.Parameters.Add("$doc", SqliteType.Text);
            foreach (var delta in deltas)
            {
                readKey.Value = delta.Key.Text;
                var counters = read.ExecuteScalar() is string existing
                    ? JsonSerializer.Deserialize<RollupDocument>(existing, HubJson.Options)!.Counters
                    : new UsageCounters();
                counters.Add(delta.Counters);
                key.Value = delta.Key.Text;
                span.Value = EnumNames<UsageGranularity>.NameOf(delta.Key.Span);
                start.Value = delta.Key.Start.ToUnixTimeSeconds();
                rollupModel.Value = delta.Key.Model.ToLowerInvariant();
                user.Value = (object?)delta.Key.User ?? DBNull.Value;
                rollupDoc.Value = JsonSerializer.Serialize(new RollupDocument(delta.Key.Model, delta.Key.Version, delta.Key.Deployment, delta.Key.User, counters), HubJson.Options);
                write.ExecuteNonQuery();
            }
            SweepOldCalls(c, tx);
            return 0;
        }, cancellationToken);

    public Task<IReadOnlyList<UsageRollup>> QueryAsync(UsageRollupQuery query, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<UsageRollup>>(c =>
        {
            using var command = c.CreateCommand();
            var where = "span = $span AND start >= $from AND start < $to";
            command.Parameters.AddWithValue("$span", EnumNames<UsageGranularity>.NameOf(query.Span));
            if (query.Model is not null)
            {
                where += " AND model = $model";
                command.Parameters.AddWithValue("$model", query.Model.ToLowerInvariant());
            }
            if (query.User is not null)
            {
                where += " AND user_id = $user";
                command.Parameters.AddWithValue("$user", query.User);
            }
            command.CommandText = $"SELECT start, doc FROM usage_rollups WHERE {where};";
            command.Parameters.AddWithValue("$from", query.From.ToUnixTimeSeconds());
            command.Parameters.AddWithValue("$to", query.To.ToUnixTimeSeconds());
            using var reader = command.ExecuteReader();
            var rollups = new List<UsageRollup>();
            while (reader.Read())
            {
                var document = JsonSerializer.Deserialize<RollupDocument>(reader.GetString(1), HubJson.Options)!;
                rollups.Add(document.ToRollup(query.Span, DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(0))));
            }
            return rollups;
        }, cancellationToken);

    public Task<IReadOnlyList<UsageRecord>> RecentCallsAsync(string model, int maxItems, bool failuresOnly, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<UsageRecord>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = $"SELECT doc FROM usage_calls WHERE model = $model{(failuresOnly ? " AND failed = 1" : "")} ORDER BY at DESC LIMIT $limit;";
            command.Parameters.AddWithValue("$model", model.ToLowerInvariant());
            command.Parameters.AddWithValue("$limit", maxItems);
            using var reader = command.ExecuteReader();
            var calls = new List<UsageRecord>();
            while (reader.Read())
            {
                calls.Add(JsonSerializer.Deserialize<UsageRecord>(reader.GetString(0), HubJson.Options)!);
            }
            return calls;
        }, cancellationToken);

    /// <summary>At most once an hour, inside a batch's transaction: calls past the retention go (their rollups stay).</summary>
    private void SweepOldCalls(SqliteConnection connection, SqliteTransaction transaction)
    {
        var now = clock.GetUtcNow();
        if (now.UtcTicks < Interlocked.Read(ref _nextSweepTicks))
        {
            return;
        }
        Interlocked.Exchange(ref _nextSweepTicks, now.UtcTicks + TimeSpan.TicksPerHour);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM usage_calls WHERE at < $before;";
        command.Parameters.AddWithValue("$before", SqliteDatabase.SortKey(now - options.Value.CallRetention));
        command.ExecuteNonQuery();
    }

    private sealed record RollupDocument(string Model, string? Version, string? Deployment, string? User, UsageCounters Counters)
    {
        public UsageRollup ToRollup(UsageGranularity span, DateTimeOffset start) => new(new UsageRollupKey(span, start, Model, Version, Deployment, User), Counters);
    }
}
