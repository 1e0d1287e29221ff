using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Reviews;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Review submissions in the <c>submissions</c> table; one revision number per model, enforced by a unique index.</summary>
public sealed class SqliteSubmissionStore(SqliteDatabase database) : ISubmissionStore
{
    public Task<Submission> CreateAsync(Submission submission, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(submission);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                INSERT INTO submissions (id, model_id, revision, type, state, submitter, submitted_at, etag, doc)
                VALUES ($id, $model_id, $revision, $type, $state, $submitter, $submitted_at, $etag, $doc);
                """;
            Bind(command, stored);
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw new ConflictException($"Submission '{submission.Id}' or revision {submission.Revision} of model '{submission.ModelName}' already exists.");
            }
            return stored;
        }, cancellationToken);

    public Task<Submission?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM submissions WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    public Task<Submission> ReplaceAsync(Submission submission, string ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(submission);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                UPDATE submissions SET model_id = $model_id, revision = $revision, type = $type, state = $state, submitter = $submitter,
                    submitted_at = $submitted_at, etag = $etag, doc = $doc
                WHERE id = $id AND etag = $if_match;
                """;
            Bind(command, stored);
            command.Parameters.AddWithValue("$if_match", ifMatch);
            if (command.ExecuteNonQuery() == 0)
            {
                using var exists = c.CreateCommand();
                exists.Transaction = tx;
                exists.CommandText = "SELECT 1 FROM submissions WHERE id = $id;";
                exists.Parameters.AddWithValue("$id", submission.Id);
                throw exists.ExecuteScalar() is null ? new NotFoundException("Submission", submission.Id) : new PreconditionFailedException("Submission", submission.Id);
            }
            return stored;
        }, cancellationToken);

    public Task<IReadOnlyList<Submission>> ListWithOpenPullRequestAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Submission>>(c =>
        {
            using var command = c.CreateCommand();
            // The condition is the partial index's own, so SQLite reads the few open ones through it
            // instead of scanning every submission.
            command.CommandText = "SELECT doc, etag FROM submissions WHERE json_extract(doc, '$.pullRequest.state') = 'open' ORDER BY submitted_at, id;";
            return ReadAll(command);
        }, cancellationToken);

    public Task<IReadOnlyList<Submission>> ListForModelAsync(string modelName, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Submission>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM submissions WHERE model_id = $model_id ORDER BY revision;";
            command.Parameters.AddWithValue("$model_id", HubModel.IdFor(modelName));
            return ReadAll(command);
        }, cancellationToken);

    public Task<Page<Submission>> QueryAsync(SubmissionQuery query, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            var where = new List<string>();
            void Equal(string column, string? value)
            {
                if (value is not null)
                {
                    command.Parameters.AddWithValue("$" + column, value);
                    where.Add($"{column} = ${column}");
                }
            }
            Equal("type", query.Type is { } t ? EnumNames<ModelType>.NameOf(t) : null);
            Equal("state", query.State is { } s ? EnumNames<SubmissionState>.NameOf(s) : null);
            Equal("submitter", query.Submitter);
            Equal("model_id", query.ModelName is { } m ? HubModel.IdFor(m) : null);
            if (query.SubmittedBefore is { } before)
            {
                command.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
                where.Add("submitted_at <= $before");
            }
            if (query.SubmittedAfter is { } after)
            {
                command.Parameters.AddWithValue("$after", after.ToUnixTimeMilliseconds());
                where.Add("submitted_at >= $after");
            }
            var fingerprint = Fingerprint(query);
            if (ContinuationTokens.Decode(query.ContinuationToken, fingerprint) is { } last)
            {
                command.Parameters.AddWithValue("$last_at", last.N ?? 0);
                command.Parameters.AddWithValue("$last_id", last.Id);
                where.Add("(submitted_at > $last_at OR (submitted_at = $last_at AND id > $last_id))");
            }
            command.CommandText = $"SELECT doc, etag, submitted_at FROM submissions {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY submitted_at, id LIMIT $limit;";
            command.Parameters.AddWithValue("$limit", query.PageSize + 1);
            var items = new List<Submission>();
            var keys = new List<long>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                items.Add(Read(reader));
                keys.Add(reader.GetInt64(2));
            }
            string? token = null;
            if (items.Count > query.PageSize)
            {
                items.RemoveAt(query.PageSize);
                token = ContinuationTokens.Encode(fingerprint, items[^1].Id, keys[query.PageSize - 1]);
            }
            return new Page<Submission>(items, token);
        }, cancellationToken);

    private static List<Submission> ReadAll(SqliteCommand command)
    {
        var list = new List<Submission>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            list.Add(Read(reader));
        }
        return list;
    }

    private static Submission Read(SqliteDataReader reader)
    {
        var submission = JsonSerializer.Deserialize<Submission>(reader.GetString(0), HubJson.Options)!;
        submission.ETag = reader.GetString(1);
        return submission;
    }

    private static Submission WithNewETag(Submission submission)
    {
        var stored = submission.Clone();
        stored.ETag = Guid.NewGuid().ToString("N");
        return stored;
    }

    private static void Bind(SqliteCommand command, Submission submission)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", submission.Id);
        p.AddWithValue("$model_id", HubModel.IdFor(submission.ModelName));
        p.AddWithValue("$revision", submission.Revision);
        p.AddWithValue("$type", EnumNames<ModelType>.NameOf(submission.ModelType));
        p.AddWithValue("$state", EnumNames<SubmissionState>.NameOf(submission.State));
        p.AddWithValue("$submitter", submission.Submitter);
        p.AddWithValue("$submitted_at", submission.SubmittedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$etag", submission.ETag);
        p.AddWithValue("$doc", JsonSerializer.Serialize(submission, HubJson.Options));
    }

    private static string Fingerprint(SubmissionQuery query)
    {
        var text = JsonSerializer.Serialize(query with { ContinuationToken = null, PageSize = 0 }, HubJson.Options);
        return "s" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8);
    }
}
