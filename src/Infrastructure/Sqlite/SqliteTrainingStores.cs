using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Training;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Training jobs in the <c>training_jobs</c> table, listed newest first by creator, model or all, and counted per compute and state.</summary>
public sealed class SqliteTrainingJobStore(SqliteDatabase database) : ITrainingJobStore
{
    private readonly SqliteDocumentTable<TrainingJob> _jobs = new SqliteDocumentTable<TrainingJob>(database, "training_jobs", StoredDocuments.TrainingJobs)
        .Key("id", j => j.Id)
        .Column("state", j => EnumNames<TrainingJobState>.NameOf(j.State))
        .Column("model_id", j => HubModel.IdFor(j.Model))
        .Column("created_by", j => j.CreatedBy)
        .Column("compute", j => j.Compute)
        .Column("created_at", j => SqliteDatabase.SortKey(j.CreatedAt));

    public Task<TrainingJob> CreateAsync(TrainingJob job, CancellationToken cancellationToken) => _jobs.CreateAsync(job, cancellationToken);

    public Task<TrainingJob?> FindAsync(string id, CancellationToken cancellationToken) => _jobs.FindAsync(cancellationToken, id);

    public Task<TrainingJob> ReplaceAsync(TrainingJob job, string ifMatch, CancellationToken cancellationToken) => _jobs.ReplaceAsync(job, ifMatch, cancellationToken);

    public Task<Page<TrainingJob>> ListAsync(TrainingJobQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        _jobs.QueryPageAsync(new SqliteKeyset("tj" + QueryFingerprints.Of(query), "created_at", descending: true), continuationToken, pageSize, (command, where) =>
        {
            void Equal(string column, string? value)
            {
                if (value is not null)
                {
                    command.Parameters.AddWithValue("$" + column, value);
                    where.Add($"{column} = ${column}");
                }
            }
            Equal("state", query.State is { } s ? EnumNames<TrainingJobState>.NameOf(s) : null);
            Equal("model_id", query.Model is { } m ? HubModel.IdFor(m) : null);
            Equal("created_by", query.CreatedBy);
            Equal("compute", query.Compute);
        }, cancellationToken);

    public async Task<IReadOnlyList<TrainingJob>> ListInStatesAsync(string compute, IReadOnlyCollection<TrainingJobState> states, int maxItems, CancellationToken cancellationToken)
    {
        var names = states.Select(EnumNames<TrainingJobState>.NameOf).ToList();
        return await _jobs.QueryAsync($"WHERE compute = $compute AND state IN ({string.Join(", ", names.Select((_, i) => "$s" + i))}) ORDER BY created_at LIMIT $max", p =>
        {
            p.AddWithValue("$compute", compute);
            for (var i = 0; i < names.Count; i++)
            {
                p.AddWithValue("$s" + i, names[i]);
            }
            p.AddWithValue("$max", maxItems);
        }, cancellationToken);
    }
}

/// <summary>A job's events in the <c>training_events</c> table, one row per (job, seq), appended in one transaction per batch.</summary>
public sealed class SqliteTrainingEventStore(SqliteDatabase database) : ITrainingEventStore
{
    public Task<(IReadOnlyList<TrainingEvent> Stored, IReadOnlyList<TrainingEvent> Existing)> AppendAsync(string jobId, IReadOnlyList<TrainingEvent> events,
        CancellationToken cancellationToken) =>
        database.WriteAsync<(IReadOnlyList<TrainingEvent>, IReadOnlyList<TrainingEvent>)>((c, tx) =>
        {
            var stored = new List<TrainingEvent>(events.Count);
            var existing = new List<TrainingEvent>();
            using var insert = c.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT OR IGNORE INTO training_events (job_id, seq, type, doc) VALUES ($job, $seq, $type, $doc);";
            var job = insert.Parameters.Add("$job", SqliteType.Text);
            var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
            var type = insert.Parameters.Add("$type", SqliteType.Text);
            var doc = insert.Parameters.Add("$doc", SqliteType.Text);
            job.Value = jobId;
            using var read = c.CreateCommand();
            read.Transaction = tx;
            read.CommandText = "SELECT doc FROM training_events WHERE job_id = $job AND seq = $seq;";
            read.Parameters.AddWithValue("$job", jobId);
            var readSeq = read.Parameters.Add("$seq", SqliteType.Integer);
            foreach (var e in events)
            {
                seq.Value = e.Seq;
                type.Value = EnumNames<TrainerEventType>.NameOf(e.Type);
                doc.Value = JsonSerializer.Serialize(e, HubJson.Options);
                if (insert.ExecuteNonQuery() == 1)
                {
                    stored.Add(e);
                }
                else
                {
                    readSeq.Value = e.Seq;
                    existing.Add(Deserialize((string)read.ExecuteScalar()!));
                }
            }
            return (stored, existing);
        }, cancellationToken);

    public Task<IReadOnlyList<TrainingEvent>> ListAsync(string jobId, long afterSeq, int maxItems, IReadOnlyCollection<TrainerEventType>? types, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<TrainingEvent>>(c =>
        {
            using var command = c.CreateCommand();
            var typeNames = types?.Select(EnumNames<TrainerEventType>.NameOf).ToList();
            var byType = typeNames is { Count: > 0 } ? $" AND type IN ({string.Join(", ", typeNames.Select((_, i) => "$t" + i))})" : "";
            command.CommandText = $"SELECT doc FROM training_events WHERE job_id = $job AND seq > $after{byType} ORDER BY seq LIMIT $max;";
            command.Parameters.AddWithValue("$job", jobId);
            command.Parameters.AddWithValue("$after", afterSeq);
            command.Parameters.AddWithValue("$max", maxItems);
            for (var i = 0; i < (typeNames?.Count ?? 0); i++)
            {
                command.Parameters.AddWithValue("$t" + i, typeNames![i]);
            }
            using var reader = command.ExecuteReader();
            var result = new List<TrainingEvent>();
            while (reader.Read())
            {
                result.Add(Deserialize(reader.GetString(0)));
            }
            return result;
        }, cancellationToken);

    public Task<long> CountAsync(string jobId, long upToSeq, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM training_events WHERE job_id = $job AND seq <= $upTo;";
            command.Parameters.AddWithValue("$job", jobId);
            command.Parameters.AddWithValue("$upTo", upToSeq);
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }, cancellationToken);

    private static TrainingEvent Deserialize(string json) => JsonSerializer.Deserialize<TrainingEvent>(json, HubJson.Options)!;
}
