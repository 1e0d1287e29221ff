using System.Text.Json;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Common;
using ModelsHub.Core.Training;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>
/// What every <see cref="ITrainingJobStore"/> adapter must do: unique ids, ETag concurrency, the
/// whole job round-tripping, listings newest first with every filter and stable pages, and the
/// jobs of a compute in given states (the local compute's slots).
/// </summary>
public abstract class TrainingJobStoreContract
{
    protected abstract ITrainingJobStore Store { get; }

    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Names apart per test instance, so suites sharing one store do not meet.</summary>
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    private TrainingJob New(int n, string model = "m", string createdBy = "tess", TrainingJobState state = TrainingJobState.Queued, string compute = "local") => new()
    {
        Id = $"tj-{_run}-{n:D3}",
        Name = $"{model}-v1-ft-{n}",
        Model = $"{model}-{_run}",
        Version = "v1",
        Dataset = "news",
        DatasetVersion = "v2",
        DatasetFormat = "csv",
        DatasetRecords = 2000,
        Trainer = "reference",
        Method = "full",
        Hyperparameters = new(StringComparer.Ordinal) { ["epochs"] = JsonDocument.Parse("12").RootElement.Clone(), ["l2Regularization"] = JsonDocument.Parse("0.05").RootElement.Clone() },
        Compute = compute + "-" + _run,
        OutputModel = $"{model}-{_run}",
        RequestedLabel = "v2_ft",
        State = state,
        States = [new TrainingStateChange(TrainingJobState.Queued, T0.AddMinutes(n))],
        CreatedBy = createdBy + "-" + _run,
        CreatedAt = T0.AddMinutes(n),
        UpdatedAt = T0.AddMinutes(n),
    };

    [Fact]
    public async Task JobsRoundTripAndATakenIdConflicts()
    {
        var job = New(1);
        job = job.Clone();
        job.Progress = new TrainingProgress(45.5, 450, 1000, 4.5, 12.25, T0, 88);
        job.Metrics["loss"] = new TrainingMetricValue(0.125, 450, 4.5, T0, 87);
        job.Output = new TrainingOutputFile("up-1", "model.zip", 1234, new string('a', 64), new() { ["accuracy"] = 0.75 }, 99);
        job.LastLogLines = ["info: 训练开始", "error: out of memory"];
        job.ComputeHandle = "pid:1234:5678";
        job.TokenHash = "abc";

        var created = await Store.CreateAsync(job, CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(New(1), CancellationToken.None));
        var found = await Store.FindAsync(job.Id, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(created.ETag, found!.ETag);
        Assert.Equal(job.Progress, found.Progress);
        Assert.Equal(job.Metrics["loss"], found.Metrics["loss"]);
        Assert.Equal(("up-1", 1234L, 0.75), (found.Output!.UploadId, found.Output.Size, found.Output.Metrics["accuracy"]));
        Assert.Equal(job.LastLogLines, found.LastLogLines);
        Assert.Equal((12L, 0.05), (found.Hyperparameters["epochs"].GetInt64(), found.Hyperparameters["l2Regularization"].GetDouble()));
        Assert.Equal((job.ComputeHandle, job.TokenHash, job.RequestedLabel, job.DatasetRecords), (found.ComputeHandle, found.TokenHash, found.RequestedLabel, found.DatasetRecords));
        Assert.Equal(job.States, found.States);
        Assert.Null(await Store.FindAsync($"tj-{_run}-999", CancellationToken.None));
    }

    [Fact]
    public async Task ReplaceNeedsTheCurrentETag()
    {
        var created = await Store.CreateAsync(New(2), CancellationToken.None);
        var next = created.Clone();
        next.MoveTo(TrainingJobState.Starting, T0.AddHours(1));

        var saved = await Store.ReplaceAsync(next, created.ETag!, CancellationToken.None);

        Assert.NotEqual(created.ETag, saved.ETag);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, created.ETag!, CancellationToken.None));
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, "\"garbage\"", CancellationToken.None));
        var missing = New(3);
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(missing, saved.ETag!, CancellationToken.None));
        Assert.Equal(TrainingJobState.Starting, (await Store.FindAsync(created.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task ListingsAreNewestFirstFilteredAndPaged()
    {
        await Store.CreateAsync(New(10, model: "a", createdBy: "tess"), CancellationToken.None);
        await Store.CreateAsync(New(11, model: "b", createdBy: "tess", state: TrainingJobState.Running), CancellationToken.None);
        await Store.CreateAsync(New(12, model: "a", createdBy: "max", state: TrainingJobState.Running), CancellationToken.None);
        await Store.CreateAsync(New(13, model: "a", createdBy: "tess", state: TrainingJobState.Failed), CancellationToken.None);

        async Task<List<string>> All(TrainingJobQuery query)
        {
            var ids = new List<string>();
            string? token = null;
            do
            {
                var page = await Store.ListAsync(query, 2, token, CancellationToken.None);
                Assert.True(page.Items.Count <= 2);
                ids.AddRange(page.Items.Select(j => j.Id[^3..]));
                token = page.ContinuationToken;
            }
            while (token is not null);
            return ids;
        }

        Assert.Equal(["013", "012", "010"], await All(new TrainingJobQuery(Model: $"A-{_run}")));
        Assert.Equal(["013", "011", "010"], await All(new TrainingJobQuery(CreatedBy: $"tess-{_run}")));
        Assert.Equal(["012", "011"], await All(new TrainingJobQuery(State: TrainingJobState.Running, Compute: $"local-{_run}")));
        Assert.Equal(["013", "010"], await All(new TrainingJobQuery(Model: $"a-{_run}", CreatedBy: $"tess-{_run}")));
        await Assert.ThrowsAsync<ValidationException>(() => Store.ListAsync(new TrainingJobQuery(Model: "other"), 2,
            Store.ListAsync(new TrainingJobQuery(Model: $"a-{_run}"), 1, null, CancellationToken.None).Result.ContinuationToken, CancellationToken.None));
    }

    [Fact]
    public async Task AComputesJobsInGivenStatesAreFoundOldestFirst()
    {
        await Store.CreateAsync(New(20, state: TrainingJobState.Running), CancellationToken.None);
        await Store.CreateAsync(New(21, state: TrainingJobState.Starting), CancellationToken.None);
        await Store.CreateAsync(New(22, state: TrainingJobState.Succeeded), CancellationToken.None);
        await Store.CreateAsync(New(23, state: TrainingJobState.Running, compute: "kubernetes"), CancellationToken.None);

        var busy = await Store.ListInStatesAsync($"local-{_run}", [TrainingJobState.Starting, TrainingJobState.Running, TrainingJobState.Uploading], 10, CancellationToken.None);

        Assert.Equal(["020", "021"], busy.Select(j => j.Id[^3..]));
    }
}

/// <summary>
/// What every <see cref="ITrainingEventStore"/> adapter must do: each (job, seq) stored once (a
/// second append hands back the stored event), reads in seq order after a seq, by type, across
/// pages, and counts that reveal gaps.
/// </summary>
public abstract class TrainingEventStoreContract
{
    protected abstract ITrainingEventStore Store { get; }

    private readonly string _job = "tj-" + Guid.NewGuid().ToString("N")[..12];

    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private TrainingEvent Metric(long seq, double value) => new(_job, new TrainerEvent(seq, TrainerEventType.Metric, T0.AddSeconds(seq), Step: seq * 10, Epoch: seq / 3.0, Name: "loss", Value: value), T0.AddSeconds(seq));

    private TrainingEvent Log(long seq, string message) => new(_job, new TrainerEvent(seq, TrainerEventType.Log, T0.AddSeconds(seq), Level: "info", Message: message), T0.AddSeconds(seq));

    [Fact]
    public async Task EachSeqIsStoredOnceAndASecondAppendGetsTheStoredEvent()
    {
        var (stored, existing) = await Store.AppendAsync(_job, [Metric(1, 0.9), Log(2, "开始"), Metric(3, 0.5)], CancellationToken.None);
        Assert.Equal([1L, 2L, 3L], stored.Select(e => e.Seq));
        Assert.Empty(existing);

        (stored, existing) = await Store.AppendAsync(_job, [Metric(3, 0.1), Log(4, "next")], CancellationToken.None);

        Assert.Equal([4L], stored.Select(e => e.Seq));
        var held = Assert.Single(existing);
        Assert.Equal(0.5, held.Line.Value);
        Assert.Equal(Metric(3, 0.5), held with { Line = held.Line with { Metrics = null } });
        var all = await Store.ListAsync(_job, 0, 100, null, CancellationToken.None);
        Assert.Equal([1L, 2L, 3L, 4L], all.Select(e => e.Seq));
        Assert.Equal("开始", all[1].Line.Message);
        Assert.Equal(T0.AddSeconds(2), all[1].ReceivedAt);
        Assert.Empty(await Store.ListAsync("tj-other-" + _job, 0, 100, null, CancellationToken.None));
    }

    [Fact]
    public async Task EventsAreReadAfterASeqByTypeAndAcrossPages()
    {
        var events = Enumerable.Range(1, 2600).Select(i => i % 2 == 0 ? Metric(i, 1.0 / i) : Log(i, "line " + i)).ToList();
        // Out of order on purpose: batches from several connections arrive in any order.
        await Store.AppendAsync(_job, events.Skip(1200).ToList(), CancellationToken.None);
        await Store.AppendAsync(_job, events.Take(1200).ToList(), CancellationToken.None);

        var page = await Store.ListAsync(_job, 990, 30, null, CancellationToken.None);
        var metrics = await Store.ListAsync(_job, 1995, 10, [TrainerEventType.Metric], CancellationToken.None);
        var tail = await Store.ListAsync(_job, 2590, 100, null, CancellationToken.None);

        Assert.Equal(Enumerable.Range(991, 30).Select(i => (long)i), page.Select(e => e.Seq));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 1996L + 2 * i), metrics.Select(e => e.Seq));
        Assert.All(metrics, e => Assert.Equal(TrainerEventType.Metric, e.Type));
        Assert.Equal(Enumerable.Range(2591, 10).Select(i => (long)i), tail.Select(e => e.Seq));
        Assert.Equal(2600, (await Store.ListAsync(_job, 0, 5000, null, CancellationToken.None)).Count);
        Assert.Empty(await Store.ListAsync(_job, 2600, 100, null, CancellationToken.None));
    }

    [Fact]
    public async Task CountsShowWhetherEverySeqArrived()
    {
        await Store.AppendAsync(_job, [Metric(1, 1), Metric(2, 1), Metric(4, 1), Metric(1500, 1)], CancellationToken.None);

        Assert.Equal(2, await Store.CountAsync(_job, 3, CancellationToken.None));
        Assert.Equal(3, await Store.CountAsync(_job, 1499, CancellationToken.None));
        Assert.Equal(4, await Store.CountAsync(_job, 2000, CancellationToken.None));
        Assert.Equal(0, await Store.CountAsync("tj-none-" + _job, 10, CancellationToken.None));
    }
}

public sealed class SqliteTrainingJobStoreContract : TrainingJobStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteTrainingJobStoreContract() => Store = new SqliteTrainingJobStore(_db.Database);

    protected override ITrainingJobStore Store { get; }

    public void Dispose() => _db.Dispose();
}

public sealed class SqliteTrainingEventStoreContract : TrainingEventStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteTrainingEventStoreContract() => Store = new SqliteTrainingEventStore(_db.Database);

    protected override ITrainingEventStore Store { get; }

    public void Dispose() => _db.Dispose();
}
