using ModelsHub.Contracts;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Reviews;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Review submissions in the <c>submissions</c> table; one revision number per model, enforced by a unique index.</summary>
public sealed class SqliteSubmissionStore(SqliteDatabase database) : ISubmissionStore
{
    private readonly SqliteDocumentTable<Submission> _submissions = new SqliteDocumentTable<Submission>(database, "submissions", StoredDocuments.Submissions)
        .Key("id", s => s.Id)
        .Column("model_id", s => HubModel.IdFor(s.ModelName))
        .Column("revision", s => s.Revision)
        .Column("type", s => EnumNames<ModelType>.NameOf(s.ModelType))
        .Column("state", s => EnumNames<SubmissionState>.NameOf(s.State))
        .Column("submitter", s => s.Submitter)
        .Column("submitted_at", s => s.SubmittedAt.ToUnixTimeMilliseconds());

    public Task<Submission> CreateAsync(Submission submission, CancellationToken cancellationToken) => _submissions.CreateAsync(submission, cancellationToken);

    public Task<Submission?> FindAsync(string id, CancellationToken cancellationToken) => _submissions.FindAsync(cancellationToken, id);

    public Task<Submission> ReplaceAsync(Submission submission, string ifMatch, CancellationToken cancellationToken) =>
        _submissions.ReplaceAsync(submission, ifMatch, cancellationToken);

    // The condition is the partial index's own, so SQLite reads the few open ones through it instead of scanning every submission.
    public async Task<IReadOnlyList<Submission>> ListWithOpenPullRequestAsync(CancellationToken cancellationToken) =>
        await _submissions.QueryAsync("WHERE json_extract(doc, '$.pullRequest.state') = 'open' ORDER BY submitted_at, id", null, cancellationToken);

    public async Task<IReadOnlyList<Submission>> ListForModelAsync(string modelName, CancellationToken cancellationToken) =>
        await _submissions.QueryAsync("WHERE model_id = $model_id ORDER BY revision", p => p.AddWithValue("$model_id", HubModel.IdFor(modelName)), cancellationToken);

    public Task<Page<Submission>> QueryAsync(SubmissionQuery query, CancellationToken cancellationToken)
    {
        var keyset = new SqliteKeyset("s" + QueryFingerprints.Of(query with { ContinuationToken = null, PageSize = 0 }), "submitted_at");
        return _submissions.QueryPageAsync(keyset, query.ContinuationToken, query.PageSize, (command, where) =>
        {
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
        }, cancellationToken);
    }
}
