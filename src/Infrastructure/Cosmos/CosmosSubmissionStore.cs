using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Reviews;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Review submissions in the <c>submissions</c> container, partitioned by model: a model's revisions
/// are one partition, where the unique key on <c>/revision</c> refuses a second submission with the
/// same number. The submission itself is kept as its JSON text (<c>text</c>): it carries models with
/// specs whose exact text must survive (Cosmos would re-write numbers); the fields beside it are what
/// the queue filters and sorts on.
/// </summary>
public sealed class CosmosSubmissionStore : ISubmissionStore
{
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private readonly CosmosDatabase _database;
    private readonly Container _container;

    public CosmosSubmissionStore(CosmosDatabase database)
    {
        _database = database;
        _container = database.Container(HubContainers.Submissions);
    }

    public async Task<Submission> CreateAsync(Submission submission, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(submission.Id))
        {
            throw new ValidationException("id", "Cannot be stored as a document id.");
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var content = Write(submission);
        using var response = await _container.CreateItemStreamAsync(content, PartitionFor(submission.ModelName), NoContentBack, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"Submission '{submission.Id}' or revision {submission.Revision} of model '{submission.ModelName}' already exists.");
        }
        return Stored(submission, response, "create submission");
    }

    /// <summary>By id alone the model (the partition) is unknown: one cross-partition lookup on the indexed id.</summary>
    public async Task<Submission?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(id))
        {
            return null;
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.text, c._etag FROM c WHERE c.id = @id").WithParameter("@id", id);
        return await CosmosPaging.FindOneAsync<Row, Submission>(_container, query, Read, cancellationToken);
    }

    public async Task<Submission> ReplaceAsync(Submission submission, string ifMatch, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        if (!CosmosOutcomes.IsValidId(submission.Id) || !CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            throw await FindAsync(submission.Id, cancellationToken) is null ? new NotFoundException("Submission", submission.Id) : new PreconditionFailedException("Submission", submission.Id);
        }
        using var content = Write(submission);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch), EnableContentResponseOnWrite = false };
        using var response = await _container.ReplaceItemStreamAsync(content, submission.Id, PartitionFor(submission.ModelName), options, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => throw new NotFoundException("Submission", submission.Id),
            HttpStatusCode.PreconditionFailed => throw new PreconditionFailedException("Submission", submission.Id),
            HttpStatusCode.Conflict => throw new ConflictException($"Revision {submission.Revision} of model '{submission.ModelName}' already exists."),
            _ => Stored(submission, response, "replace submission"),
        };
    }

    /// <summary>One partition: every page of the model's submissions by revision.</summary>
    public async Task<IReadOnlyList<Submission>> ListForModelAsync(string modelName, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.text, c._etag FROM c WHERE c.modelId = @model ORDER BY c.revision")
            .WithParameter("@model", HubModel.IdFor(modelName));
        var list = new List<Submission>();
        string? token = null;
        do
        {
            var page = await CosmosPaging.ReadPageAsync<Row, Submission>(_container, query, "model", token, Paging.MaxPageSize, Read,
                PartitionFor(modelName), cancellationToken);
            list.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return list;
    }

    /// <summary>Cross-partition, but only the few submissions whose pull request is open match the indexed <c>prState</c>.</summary>
    public async Task<IReadOnlyList<Submission>> ListWithOpenPullRequestAsync(CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.text, c._etag FROM c WHERE c.prState = 'open' ORDER BY c.submittedUs, c.id");
        var list = new List<Submission>();
        string? token = null;
        do
        {
            var page = await CosmosPaging.ReadPageAsync<Row, Submission>(_container, query, "open", token, Paging.MaxPageSize, Read, null, cancellationToken);
            list.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return list;
    }

    public async Task<Page<Submission>> QueryAsync(SubmissionQuery query, CancellationToken cancellationToken)
    {
        var fingerprint = Fingerprint(query);
        CosmosPaging.Decode(query.ContinuationToken, fingerprint);
        var where = new List<string>();
        var definition = new List<(string Name, object Value)>();
        void Equal(string property, string? value)
        {
            if (value is not null)
            {
                where.Add($"c.{property} = @{property}");
                definition.Add(("@" + property, value));
            }
        }
        Equal("type", query.Type is { } t ? EnumNames<ModelType>.NameOf(t) : null);
        Equal("state", query.State is { } s ? EnumNames<SubmissionState>.NameOf(s) : null);
        Equal("submitter", query.Submitter);
        Equal("modelId", query.ModelName is { } m ? HubModel.IdFor(m) : null);
        if (query.SubmittedBefore is { } before)
        {
            where.Add("c.submittedUs <= @before");
            definition.Add(("@before", Microseconds(before)));
        }
        if (query.SubmittedAfter is { } after)
        {
            where.Add("c.submittedUs >= @after");
            definition.Add(("@after", Microseconds(after)));
        }
        var sql = new QueryDefinition("SELECT c.text, c._etag FROM c" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY c.submittedUs, c.id");
        foreach (var (name, value) in definition)
        {
            sql.WithParameter(name, value);
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        return await CosmosPaging.ReadPageAsync<Row, Submission>(_container, sql, fingerprint, query.ContinuationToken, query.PageSize, Read,
            query.ModelName is { } model ? PartitionFor(model) : null, cancellationToken);
    }

    private sealed record Row(string Text, [property: System.Text.Json.Serialization.JsonPropertyName("_etag")] string ETag);

    private static Submission Read(Row row)
    {
        var submission = JsonSerializer.Deserialize<Submission>(row.Text, HubJson.Options)!;
        submission.ETag = CosmosOutcomes.FromCosmosETag(row.ETag);
        return submission;
    }

    private static PartitionKey PartitionFor(string modelName) => new(HubModel.IdFor(modelName));

    private static MemoryStream Write(Submission submission) => CosmosWorkflowStore.ToStream(new JsonObject
    {
        ["id"] = submission.Id,
        ["modelId"] = HubModel.IdFor(submission.ModelName),
        ["revision"] = submission.Revision,
        ["type"] = EnumNames<ModelType>.NameOf(submission.ModelType),
        ["state"] = EnumNames<SubmissionState>.NameOf(submission.State),
        ["submitter"] = submission.Submitter,
        ["submittedUs"] = Microseconds(submission.SubmittedAt),
        ["prState"] = submission.PullRequest is { } pr ? JsonSerializer.SerializeToElement(pr.State, HubJson.Options).GetString() : null,
        ["text"] = JsonSerializer.Serialize(submission, HubJson.Options),
    });

    private static long Microseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    private static Submission Stored(Submission submission, ResponseMessage response, string operation)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, operation);
        }
        var stored = submission.Clone();
        stored.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag);
        return stored;
    }

    private static string Fingerprint(SubmissionQuery query)
    {
        var text = JsonSerializer.Serialize(query with { ContinuationToken = null, PageSize = 0 }, HubJson.Options);
        return "s" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8);
    }
}
