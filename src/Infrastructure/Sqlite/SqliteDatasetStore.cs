using Microsoft.Data.Sqlite;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Datasets;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Datasets in the <c>datasets</c> table: the document plus the columns its listing filters and sorts on.</summary>
public sealed class SqliteDatasetStore(SqliteDatabase database) : IDatasetStore
{
    private readonly SqliteDocumentTable<Dataset> _datasets = new SqliteDocumentTable<Dataset>(database, "datasets", StoredDocuments.Datasets)
        .Key("id", d => d.Id)
        .Column("owner", d => d.Owner)
        .Column("visibility", d => EnumNames<DatasetVisibility>.NameOf(d.Visibility))
        .Column("format", d => EnumNames<DatasetFormat>.NameOf(d.Format))
        .Column("status", d => EnumNames<DatasetStatus>.NameOf(d.Status))
        .Column("created_at", d => SqliteDatabase.SortKey(d.CreatedAt))
        .Column("updated_at", d => SqliteDatabase.SortKey(d.UpdatedAt))
        .Column("tags", d => "|" + string.Concat(d.Tags.Select(t => t.ToLowerInvariant() + "|")))
        .Column("search", d => d.SearchText);

    public Task<Dataset?> FindAsync(string name, CancellationToken cancellationToken) => _datasets.FindAsync(cancellationToken, Dataset.IdFor(name));

    public Task<Dataset> CreateAsync(Dataset dataset, CancellationToken cancellationToken) => _datasets.CreateAsync(dataset, cancellationToken);

    public Task<Dataset> ReplaceAsync(Dataset dataset, string ifMatch, CancellationToken cancellationToken) => _datasets.ReplaceAsync(dataset, ifMatch, cancellationToken);

    public Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken) =>
        _datasets.DeleteAsync(name, ifMatch, cancellationToken, Dataset.IdFor(name));

    public Task<Page<Dataset>> QueryAsync(DatasetQuery query, DatasetScope scope, CancellationToken cancellationToken)
    {
        var keyset = new SqliteKeyset(QueryFingerprints.Of(query with { ContinuationToken = null, PageSize = 0 }, $"|{scope.All}|{scope.OwnerId}"), query.Sort switch
        {
            DatasetSort.Updated => "updated_at",
            DatasetSort.Created => "created_at",
            _ => null,
        }, query.Descending);
        return _datasets.QueryPageAsync(keyset, query.ContinuationToken, query.PageSize, (command, where) => Filter(command, where, query, scope), cancellationToken);
    }

    private static void Filter(SqliteCommand command, List<string> where, DatasetQuery query, DatasetScope scope)
    {
        if (!scope.All)
        {
            if (scope.OwnerId is null)
            {
                where.Add("visibility = 'public'");
            }
            else
            {
                command.Parameters.AddWithValue("$scope_owner", scope.OwnerId);
                where.Add("(visibility = 'public' OR owner = $scope_owner)");
            }
        }
        void Equal(string column, string? value)
        {
            if (value is not null)
            {
                command.Parameters.AddWithValue("$f_" + column, value);
                where.Add($"{column} = $f_{column}");
            }
        }
        Equal("status", query.Status is { } status ? EnumNames<DatasetStatus>.NameOf(status) : null);
        Equal("format", query.Format is { } format ? EnumNames<DatasetFormat>.NameOf(format) : null);
        Equal("visibility", query.Visibility is { } visibility ? EnumNames<DatasetVisibility>.NameOf(visibility) : null);
        Equal("owner", query.Owner);
        if (!string.IsNullOrEmpty(query.Tag))
        {
            command.Parameters.AddWithValue("$f_tag", "|" + query.Tag.ToLowerInvariant() + "|");
            where.Add("instr(tags, $f_tag) > 0");
        }
        var i = 0;
        foreach (var word in query.Words.Select(w => w.ToLowerInvariant()).Distinct())
        {
            command.Parameters.AddWithValue($"$w{i}", word);
            where.Add($"instr(search, $w{i++}) > 0");
        }
    }
}
