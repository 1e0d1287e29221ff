using System.Text.Json;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Common;
using ModelsHub.Core.Deployments;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>
/// What every <see cref="IDeploymentStore"/> adapter must do: ids unique, ETag concurrency, settings round-trip exactly
/// (parameters' numbers keep their digits), pages newest first filtered by model, server (ignoring case) and state, and the
/// lists by state the monitor and the server's delete check read.
/// </summary>
public abstract class DeploymentStoreContract
{
    protected abstract IDeploymentStore Store { get; }

    private static readonly DateTimeOffset T0 = new(2027, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _server = "srv-" + Guid.NewGuid().ToString("N")[..8];

    private Deployment New(string id, string model, int minute, DeploymentState state = DeploymentState.Running, string? server = null) => new()
    {
        Id = id,
        Model = model,
        Version = "v2",
        Server = server ?? _server,
        ModelType = ModelType.Llm,
        Engine = "vLLM",
        Format = "pytorch",
        SizeInBillions = JsonDocument.Parse("\"1_8\"").RootElement.Clone(),
        Quantization = "none",
        Replicas = 2,
        Gpus = JsonDocument.Parse("\"auto\"").RootElement.Clone(),
        Parameters = JsonDocument.Parse("""{"max_model_len": 8192, "temperature": 0.10, "big": 12345678901234567890}""").RootElement.Clone(),
        Env = new Dictionary<string, string> { ["HF_ENDPOINT"] = "https://mirror.example/ 镜像" },
        InputFormat = "chat",
        Defaults = new DeploymentDefaults { GpuMemoryUtilization = 0.9, LogLevel = "INFO" },
        State = state,
        StateChangedAt = T0.AddMinutes(minute),
        History = [new DeploymentTransition(DeploymentState.Pending, T0.AddMinutes(minute), "by carol")],
        CreatedBy = "carol",
        CreatedAt = T0.AddMinutes(minute),
        UpdatedAt = T0.AddMinutes(minute),
    };

    private string Id(string name) => $"{_server}-{name}";

    [Fact]
    public async Task DeploymentsRoundTripExactlyAndATakenIdConflicts()
    {
        var created = await Store.CreateAsync(New(Id("a"), "Team-Chat", 1), CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.ETag));
        await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(New(Id("a"), "other", 2), CancellationToken.None));
        var found = await Store.FindAsync(Id("a"), CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(created.ETag, found!.ETag);
        Assert.Equal(("Team-Chat", "v2", "vLLM", 2, "chat", 0.9, "INFO"), (found.Model, found.Version, found.Engine, found.Replicas, found.InputFormat,
            found.Defaults.GpuMemoryUtilization, found.Defaults.LogLevel));
        Assert.Equal("\"1_8\"", found.SizeInBillions!.Value.GetRawText());
        Assert.Equal("""{"max_model_len": 8192, "temperature": 0.10, "big": 12345678901234567890}""".Replace(" ", ""), found.Parameters.GetRawText().Replace(" ", ""));
        Assert.Equal("https://mirror.example/ 镜像", found.Env["HF_ENDPOINT"]);
        Assert.Equal("by carol", Assert.Single(found.History).Detail);
        Assert.Null(await Store.FindAsync(Id("none"), CancellationToken.None));
    }

    [Fact]
    public async Task ReplacesNeedTheCurrentETagAndDeletesAreIdempotent()
    {
        var created = await Store.CreateAsync(New(Id("b"), "m", 1, DeploymentState.Launching), CancellationToken.None);
        var next = created.Clone();
        next.Enter(DeploymentState.Running, T0.AddMinutes(5));
        next.Generation = 3;
        var replaced = await Store.ReplaceAsync(next, created.ETag!, CancellationToken.None);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, created.ETag!, CancellationToken.None));
        var read = await Store.FindAsync(Id("b"), CancellationToken.None);
        Assert.Equal((DeploymentState.Running, 3, 2), (read!.State, read.Generation, read.History.Count));
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.DeleteAsync(Id("b"), created.ETag, CancellationToken.None));
        await Store.DeleteAsync(Id("b"), replaced.ETag, CancellationToken.None);
        await Store.DeleteAsync(Id("b"), null, CancellationToken.None);
        Assert.Null(await Store.FindAsync(Id("b"), CancellationToken.None));
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(next, replaced.ETag!, CancellationToken.None));
    }

    [Fact]
    public async Task PagesAreNewestFirstAndFilteredByModelServerAndState()
    {
        await Store.CreateAsync(New(Id("1"), "Alpha", 1), CancellationToken.None);
        await Store.CreateAsync(New(Id("2"), "beta", 2, DeploymentState.Stopped), CancellationToken.None);
        await Store.CreateAsync(New(Id("3"), "alpha", 3, DeploymentState.Failed), CancellationToken.None);
        await Store.CreateAsync(New(Id("4"), "alpha", 4), CancellationToken.None);
        await Store.CreateAsync(New(Id("5"), "alpha", 5, server: _server + "-other"), CancellationToken.None);

        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await Store.QueryAsync(new DeploymentQuery(Server: _server.ToUpperInvariant(), PageSize: 2, ContinuationToken: token), CancellationToken.None);
            Assert.True(page.Items.Count <= 2);
            ids.AddRange(page.Items.Select(d => d.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal([Id("4"), Id("3"), Id("2"), Id("1")], ids);

        var alpha = await Store.QueryAsync(new DeploymentQuery(Model: "ALPHA", Server: _server, PageSize: 10), CancellationToken.None);
        Assert.Equal([Id("4"), Id("3"), Id("1")], alpha.Items.Select(d => d.Id));
        var running = await Store.QueryAsync(new DeploymentQuery(Model: "alpha", Server: _server, State: DeploymentState.Running, PageSize: 10), CancellationToken.None);
        Assert.Equal([Id("4"), Id("1")], running.Items.Select(d => d.Id));
        await Assert.ThrowsAsync<ValidationException>(() => Store.QueryAsync(new DeploymentQuery(Model: "beta", Server: _server, ContinuationToken: "garbage"), CancellationToken.None));

        var inStates = await Store.ListInStatesAsync([DeploymentState.Running, DeploymentState.Failed], _server, CancellationToken.None);
        Assert.Equal([Id("1"), Id("3"), Id("4")], inStates.Select(d => d.Id));
        var everywhere = await Store.ListInStatesAsync([DeploymentState.Running], null, CancellationToken.None);
        Assert.Contains(everywhere, d => d.Id == Id("5"));
        Assert.DoesNotContain(everywhere, d => d.Id == Id("2"));
        Assert.Empty(await Store.ListInStatesAsync([], _server, CancellationToken.None));
    }
}

public sealed class SqliteDeploymentStoreContract : DeploymentStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteDeploymentStoreContract() => Store = new SqliteDeploymentStore(_db.Database);

    protected override IDeploymentStore Store { get; }

    public void Dispose() => _db.Dispose();
}
