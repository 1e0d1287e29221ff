using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Reviews;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Review submissions in the <c>submissions</c> container, partitioned by model: a model's revisions
/// are one partition, where the unique key on <c>/revision</c> refuses a second submission with the
/// same number. The submission itself is kept as its JSON text (<c>text</c>): it carries models with
/// specs whose exact text must survive (Cosmos would re-write numbers); the fields beside it are what
/// the queue filters and sorts on.
/// </summary>
public sealed class CosmosSubmissionStore(CosmosDatabase database) : ISubmissionStore
{
    private readonly CosmosDocumentContainer<Submission> _submissions = new(database, HubContainers.Submissions, StoredDocuments.Submissions,
        CosmosDocumentShape<Submission>.Text(s => new JsonObject
        {
            ["id"] = s.Id,
            ["modelId"] = HubModel.IdFor(s.ModelName),
            ["revision"] = s.Revision,
            ["type"] = EnumNames<ModelType>.NameOf(s.ModelType),
            ["state"] = EnumNames<SubmissionState>.NameOf(s.State),
            ["submitter"] = s.Submitter,
            ["submittedUs"] = CosmosDocumentShape.Microseconds(s.SubmittedAt),
            ["prState"] = s.PullRequest is { } pr ? EnumNames<Contracts.PullRequests.PullRequestState>.NameOf(pr.State) : null,
        }),
        s => s.Id, s => HubModel.IdFor(s.ModelName));

    public Task<Submission> CreateAsync(Submission submission, CancellationToken cancellationToken) =>
        _submissions.CreateAsync(submission, cancellationToken);

    /// <summary>By id alone the model (the partition) is unknown: one cross-partition lookup on the indexed id.</summary>
    public async Task<Submission?> FindAsync(string id, CancellationToken cancellationToken) =>
        !CosmosOutcomes.IsValidId(id) ? null
            : await _submissions.FindOneAsync(_submissions.Select("WHERE c.id = @id").WithParameter("@id", id), cancellationToken);

    public Task<Submission> ReplaceAsync(Submission submission, string ifMatch, CancellationToken cancellationToken) =>
        _submissions.ReplaceAsync(submission, ifMatch, cancellationToken);

    /// <summary>One partition: every page of the model's submissions by revision.</summary>
    public async Task<IReadOnlyList<Submission>> ListForModelAsync(string modelName, CancellationToken cancellationToken)
    {
        var model = HubModel.IdFor(modelName);
        return await _submissions.QueryAsync(_submissions.Select("WHERE c.modelId = @model ORDER BY c.revision").WithParameter("@model", model),
            model, cancellationToken);
    }

    /// <summary>Cross-partition, but only the few submissions whose pull request is open match the indexed <c>prState</c>.</summary>
    public async Task<IReadOnlyList<Submission>> ListWithOpenPullRequestAsync(CancellationToken cancellationToken) =>
        await _submissions.QueryAsync(_submissions.Select("WHERE c.prState = 'open' ORDER BY c.submittedUs, c.id"), null, cancellationToken);

    public Task<Page<Submission>> QueryAsync(SubmissionQuery query, CancellationToken cancellationToken)
    {
        var fingerprint = "s" + QueryFingerprints.Of(query with { ContinuationToken = null, PageSize = 0 });
        CosmosPaging.Decode(query.ContinuationToken, fingerprint);
        var where = new List<string>();
        var parameters = new List<(string Name, object Value)>();
        void Equal(string property, string? value)
        {
            if (value is not null)
            {
                where.Add($"c.{property} = @{property}");
                parameters.Add(("@" + property, value));
            }
        }
        Equal("type", query.Type is { } t ? EnumNames<ModelType>.NameOf(t) : null);
        Equal("state", query.State is { } s ? EnumNames<SubmissionState>.NameOf(s) : null);
        Equal("submitter", query.Submitter);
        Equal("modelId", query.ModelName is { } m ? HubModel.IdFor(m) : null);
        if (query.SubmittedBefore is { } before)
        {
            where.Add("c.submittedUs <= @before");
            parameters.Add(("@before", CosmosDocumentShape.Microseconds(before)));
        }
        if (query.SubmittedAfter is { } after)
        {
            where.Add("c.submittedUs >= @after");
            parameters.Add(("@after", CosmosDocumentShape.Microseconds(after)));
        }
        var sql = _submissions.Select((where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "") + " ORDER BY c.submittedUs, c.id");
        foreach (var (name, value) in parameters)
        {
            sql.WithParameter(name, value);
        }
        return _submissions.QueryPageAsync(sql, fingerprint, query.ContinuationToken, query.PageSize,
            query.ModelName is { } model ? HubModel.IdFor(model) : null, cancellationToken);
    }
}
