using ModelsHub.Contracts;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Datasets;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Datasets in the <c>datasets</c> container, partitioned by id (the lowercase name): finds and
/// writes are point operations with ETag preconditions, names are unique ignoring case by the id;
/// listings are bounded cross-partition queries on the document's own fields.
/// </summary>
public sealed class CosmosDatasetStore(CosmosDatabase database) : IDatasetStore
{
    private readonly CosmosDocumentContainer<Dataset> _datasets = new(database, HubContainers.Datasets, StoredDocuments.Datasets,
        CosmosDocumentShape<Dataset>.Inline((d, doc) =>
        {
            doc["searchText"] = d.SearchText;
            doc["tagKeys"] = new System.Text.Json.Nodes.JsonArray([.. d.Tags.Select(t => System.Text.Json.Nodes.JsonValue.Create(t.ToLowerInvariant()))]);
            doc["createdUs"] = CosmosDocumentShape.Microseconds(d.CreatedAt);
            doc["updatedUs"] = CosmosDocumentShape.Microseconds(d.UpdatedAt);
        }),
        d => d.Id, idField: "name");

    public Task<Dataset?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var id = Dataset.IdFor(name);
        return _datasets.FindAsync(id, id, cancellationToken);
    }

    public Task<Dataset> CreateAsync(Dataset dataset, CancellationToken cancellationToken) => _datasets.CreateAsync(dataset, cancellationToken);

    public Task<Dataset> ReplaceAsync(Dataset dataset, string ifMatch, CancellationToken cancellationToken) => _datasets.ReplaceAsync(dataset, ifMatch, cancellationToken);

    public Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken)
    {
        var id = Dataset.IdFor(name);
        return _datasets.DeleteAsync(id, id, name, ifMatch, cancellationToken);
    }

    public async Task<Page<Dataset>> QueryAsync(DatasetQuery query, DatasetScope scope, CancellationToken cancellationToken)
    {
        var fingerprint = QueryFingerprints.Of(query with { ContinuationToken = null, PageSize = 0 }, $"|{scope.All}|{scope.OwnerId}");
        var sql = new CosmosQueryBuilder();
        if (!scope.All)
        {
            if (scope.OwnerId is null)
            {
                sql.Add("c.visibility = 'public'");
            }
            else
            {
                sql.Add("(c.visibility = 'public' OR c.owner = @scope_owner)", ("@scope_owner", scope.OwnerId));
            }
        }
        if (query.Status is { } status) sql.Add("c.status = @f_status", ("@f_status", EnumNames<DatasetStatus>.NameOf(status)));
        if (query.Format is { } format) sql.Add("c.format = @f_format", ("@f_format", EnumNames<DatasetFormat>.NameOf(format)));
        if (query.Visibility is { } visibility) sql.Add("c.visibility = @f_visibility", ("@f_visibility", EnumNames<DatasetVisibility>.NameOf(visibility)));
        if (query.Owner is not null) sql.Add("c.owner = @f_owner", ("@f_owner", query.Owner));
        if (!string.IsNullOrEmpty(query.Tag)) sql.Add("ARRAY_CONTAINS(c.tagKeys, @f_tag)", ("@f_tag", query.Tag.ToLowerInvariant()));
        var i = 0;
        foreach (var word in query.Words.Select(w => w.ToLowerInvariant()).Distinct())
        {
            // Case-sensitive CONTAINS over lowercase text: the stand-in lacks CONTAINS(x, y, true).
            sql.Add($"CONTAINS(c.searchText, @w{i})", ($"@w{i}", word));
            i++;
        }
        var direction = query.Descending ? "DESC" : "ASC";
        var order = query.Sort switch
        {
            DatasetSort.Updated => $"c.updatedUs {direction}, c.id {direction}",
            DatasetSort.Created => $"c.createdUs {direction}, c.id {direction}",
            _ => $"c.id {direction}",
        };
        return await _datasets.QueryPageAsync(sql.Build("SELECT * FROM c", $" ORDER BY {order}"), fingerprint, query.ContinuationToken, query.PageSize, null, cancellationToken);
    }
}
