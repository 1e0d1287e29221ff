using Microsoft.Azure.Cosmos;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>A WHERE clause of ANDed conditions with their parameters, for the listings' queries.</summary>
internal sealed class CosmosQueryBuilder
{
    private readonly List<string> _conditions = [];
    private readonly List<(string Name, object Value)> _parameters = [];

    public void Add(string condition, params (string Name, object Value)[] parameters)
    {
        _conditions.Add(condition);
        _parameters.AddRange(parameters);
    }

    public void AddParameter(string name, object value) => _parameters.Add((name, value));

    public QueryDefinition Build(string select, string suffix)
    {
        var definition = new QueryDefinition(select + (_conditions.Count > 0 ? " WHERE " + string.Join(" AND ", _conditions) : "") + suffix);
        foreach (var (name, value) in _parameters)
        {
            definition.WithParameter(name, value);
        }
        return definition;
    }
}
