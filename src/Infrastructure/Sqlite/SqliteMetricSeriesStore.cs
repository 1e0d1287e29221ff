using ModelsHub.Core.Servers;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// The monitoring series in the <c>metric_samples</c> table: one row per series and interval (the
/// primary key, so a second poll in the interval replaces the first), read by range along that key,
/// and trimmed by age (the monitor trims hourly; SQLite has no expiry of its own).
/// </summary>
public sealed class SqliteMetricSeriesStore(SqliteDatabase database) : IMetricSeriesStore
{
    public Task AppendAsync(IReadOnlyList<MetricSample> samples, TimeSpan retention, CancellationToken cancellationToken)
    {
        if (samples.Count == 0) return Task.CompletedTask;
        return database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT OR REPLACE INTO metric_samples (series, at, data, summary) VALUES ($series, $at, $data, $summary);";
            var series = command.Parameters.Add("$series", Microsoft.Data.Sqlite.SqliteType.Text);
            var at = command.Parameters.Add("$at", Microsoft.Data.Sqlite.SqliteType.Integer);
            var data = command.Parameters.Add("$data", Microsoft.Data.Sqlite.SqliteType.Blob);
            var summary = command.Parameters.Add("$summary", Microsoft.Data.Sqlite.SqliteType.Blob);
            foreach (var sample in samples)
            {
                series.Value = sample.Series;
                at.Value = sample.At.ToUnixTimeMilliseconds();
                data.Value = sample.Data;
                summary.Value = sample.Summary;
                command.ExecuteNonQuery();
            }
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<MetricSample>> ReadAsync(string series, DateTimeOffset from, DateTimeOffset to, bool summariesOnly, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<MetricSample>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = $"SELECT at, {(summariesOnly ? "x''" : "data")}, summary FROM metric_samples WHERE series = $series AND at >= $from AND at < $to ORDER BY at;";
            command.Parameters.AddWithValue("$series", series);
            command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            var samples = new List<MetricSample>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                samples.Add(new MetricSample(series, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), (byte[])reader.GetValue(1), (byte[])reader.GetValue(2)));
            }
            return samples;
        }, cancellationToken);

    public Task<MetricSample?> LatestAsync(string series, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT at, data, summary FROM metric_samples WHERE series = $series ORDER BY at DESC LIMIT 1;";
            command.Parameters.AddWithValue("$series", series);
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new MetricSample(series, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), (byte[])reader.GetValue(1), (byte[])reader.GetValue(2))
                : null;
        }, cancellationToken);

    public Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM metric_samples WHERE at < $before;";
            command.Parameters.AddWithValue("$before", olderThan.ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public Task DeleteSeriesAsync(string series, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM metric_samples WHERE series = $series;";
            command.Parameters.AddWithValue("$series", series);
            return command.ExecuteNonQuery();
        }, cancellationToken);
}
