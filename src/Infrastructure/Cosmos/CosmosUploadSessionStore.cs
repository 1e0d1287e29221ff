using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Uploads;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Upload sessions in the <c>uploads</c> container, partitioned by model. The unique key on
/// <c>/activeKey</c> (the lowercase blob key while the session is active, <c>done:{id}</c> after)
/// lets one active session per file exist, enforced by Cosmos. By id alone (the blob-created event
/// knows only <c>uploads/{id}/…</c>) a session is one cross-partition lookup.
/// </summary>
public sealed class CosmosUploadSessionStore : IUploadSessionStore
{
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private readonly CosmosDatabase _database;
    private readonly Container _container;

    public CosmosUploadSessionStore(CosmosDatabase database)
    {
        _database = database;
        _container = database.Container(HubContainers.Uploads);
    }

    public async Task<UploadSession?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(id))
        {
            return null;
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.text, c._etag FROM c WHERE c.id = @id").WithParameter("@id", id);
        return await CosmosPaging.FindOneAsync<Row, UploadSession>(_container, query, Read, cancellationToken);
    }

    public async Task<UploadSession> CreateAsync(UploadSession session, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(session.Id) || !CosmosOutcomes.IsValidId(session.AssetRef.Id))
        {
            throw new ValidationException("id", "Cannot be stored as a document id.");
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var content = Write(session);
        using var response = await _container.CreateItemStreamAsync(content, new PartitionKey(session.AssetKey), NoContentBack, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"Another upload of '{session.FileName}' into version '{session.Version}' is in progress.", "fileName");
        }
        return Stored(session, response, "create upload session");
    }

    public async Task<UploadSession> ReplaceAsync(UploadSession session, string ifMatch, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        if (!CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            throw await FindAsync(session.Id, cancellationToken) is null ? new NotFoundException("Upload", session.Id) : new PreconditionFailedException("Upload", session.Id);
        }
        using var content = Write(session);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch), EnableContentResponseOnWrite = false };
        using var response = await _container.ReplaceItemStreamAsync(content, session.Id, new PartitionKey(session.AssetKey), options, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => throw new NotFoundException("Upload", session.Id),
            HttpStatusCode.PreconditionFailed => throw new PreconditionFailedException("Upload", session.Id),
            HttpStatusCode.Conflict => throw new ConflictException($"Another upload of '{session.FileName}' into version '{session.Version}' is in progress.", "fileName"),
            _ => Stored(session, response, "replace upload session"),
        };
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } session)
        {
            return;
        }
        using var response = await _container.DeleteItemStreamAsync(id, new PartitionKey(session.AssetKey), cancellationToken: cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            throw CosmosOutcomes.Unexpected(response, "delete upload session");
        }
    }

    public async Task<IReadOnlyList<UploadSession>> ListForAssetAsync(AssetRef asset, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.text, c._etag FROM c ORDER BY c.createdUs, c.id");
        var sessions = new List<UploadSession>();
        string? token = null;
        do
        {
            var page = await CosmosPaging.ReadPageAsync<Row, UploadSession>(_container, query, "model", token, Paging.MaxPageSize, Read,
                new PartitionKey(asset.Key), cancellationToken);
            sessions.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return sessions;
    }

    public async Task<IReadOnlyList<UploadSession>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        if (max < 1)
        {
            return [];
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.text, c._etag FROM c WHERE c.dueMs <= @now ORDER BY c.dueMs, c.id")
            .WithParameter("@now", now.ToUnixTimeMilliseconds());
        var due = new List<UploadSession>(max);
        string? token = null;
        do
        {
            var page = await CosmosPaging.ReadPageAsync<Row, UploadSession>(_container, query, "due", token, max - due.Count, Read, null, cancellationToken);
            due.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null && due.Count < max);
        return due;
    }

    private sealed record Row(string Text, [property: JsonPropertyName("_etag")] string ETag);

    private static UploadSession Read(Row row)
    {
        var session = JsonSerializer.Deserialize<UploadSession>(row.Text, HubJson.Options)!;
        session.ETag = CosmosOutcomes.FromCosmosETag(row.ETag);
        return session;
    }

    private static MemoryStream Write(UploadSession session) => CosmosWorkflowStore.ToStream(new JsonObject
    {
        ["id"] = session.Id,
        ["modelId"] = session.AssetKey,
        ["activeKey"] = session.IsActive ? session.BlobKey.ToLowerInvariant() : "done:" + session.Id,
        ["createdUs"] = (session.CreatedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond,
        ["dueMs"] = session.DueAt.ToUnixTimeMilliseconds(),
        ["text"] = JsonSerializer.Serialize(session, HubJson.Options),
    });

    private static UploadSession Stored(UploadSession session, ResponseMessage response, string operation)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, operation);
        }
        var stored = session.Clone();
        stored.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag);
        return stored;
    }
}
