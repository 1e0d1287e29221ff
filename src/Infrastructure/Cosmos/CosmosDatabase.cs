using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.AzureProfile;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// The hub's Cosmos database and the containers its adapters registered. Creates them when
/// <c>Storage:Azure:CreateIfMissing</c> allows (emulators); otherwise only checks them.
/// </summary>
public sealed partial class CosmosDatabase : IReadinessCheck
{
    private readonly CosmosClient _client;
    private readonly IReadOnlyList<CosmosContainerSpec> _containers;
    private readonly bool _createIfMissing;
    private readonly ILogger<CosmosDatabase> _logger;
    private readonly Lock _gate = new();
    private Task? _creation;

    public CosmosDatabase(CosmosClient client, IOptions<CosmosOptions> options, IOptions<AzureStorageOptions> azure,
        IEnumerable<CosmosContainerSpec> containers, ILogger<CosmosDatabase> logger)
    {
        _client = client;
        _containers = containers.DistinctBy(c => c.Name).ToList();
        _createIfMissing = azure.Value.CreateIfMissing;
        _logger = logger;
        DatabaseName = options.Value.DatabaseName;
    }

    public string DatabaseName { get; }

    public string Name => "cosmos";

    public Container Container(CosmosContainerSpec spec) => _client.GetContainer(DatabaseName, spec.Name);

    /// <summary>
    /// Creates what is missing, once per process (again after a failure). Stores await it too,
    /// because commands such as <c>import-upstream</c> use them without starting the host.
    /// </summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (!_createIfMissing)
        {
            return Task.CompletedTask;
        }
        var creation = Volatile.Read(ref _creation);
        if (creation is not { IsCompletedSuccessfully: true })
        {
            lock (_gate)
            {
                if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
                {
                    // Not tied to one caller's token: a cancelled request must not fail the others waiting.
                    _creation = CreateAsync();
                }
                creation = _creation;
            }
        }
        return creation.IsCompletedSuccessfully ? creation : creation.WaitAsync(cancellationToken);
    }

    private async Task CreateAsync()
    {
        var database = (await _client.CreateDatabaseIfNotExistsAsync(DatabaseName)).Database;
        foreach (var spec in _containers)
        {
            var response = await database.CreateContainerIfNotExistsAsync(spec.ToProperties());
            if (response.StatusCode == HttpStatusCode.Created)
            {
                LogCreated(_logger, spec.Name, spec.PartitionKeyPath, DatabaseName);
            }
        }
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        foreach (var spec in _containers)
        {
            using var response = await Container(spec).ReadContainerStreamAsync(cancellationToken: cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(response.StatusCode == HttpStatusCode.NotFound
                    ? $"Container '{spec.Name}' (or database '{DatabaseName}') does not exist; Bicep creates it in Azure, {AzureStorageOptions.Section}:CreateIfMissing=true on emulators."
                    : $"Reading container '{spec.Name}' answered {(int)response.StatusCode} {response.ErrorMessage}");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created Cosmos container {Container} (partition key {PartitionKey}) in database {Database}")]
    private static partial void LogCreated(ILogger logger, string container, string partitionKey, string database);
}
