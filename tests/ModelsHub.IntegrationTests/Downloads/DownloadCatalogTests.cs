using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Downloads;

namespace ModelsHub.IntegrationTests.Downloads;

/// <summary>The precomputed lists under concurrency: revalidation must not make requests queue.</summary>
public sealed class DownloadCatalogTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly GatedStore _store = new();
    private readonly DownloadCatalog _catalog;

    public DownloadCatalogTests()
    {
        _catalog = new DownloadCatalog(_store, _clock, Options.Create(new DownloadOptions { RevalidateSeconds = 5 }), NullLogger<DownloadCatalog>.Instance);
        _store.Add(Llm("first-llm"));
    }

    private static HubModel Llm(string name) => new()
    {
        Id = HubModel.IdFor(name),
        Name = name,
        Type = ModelType.Llm,
        Owner = "ada",
        Visibility = ModelVisibility.Public,
        ETag = Guid.NewGuid().ToString("N"),
        Spec = JsonSerializer.SerializeToElement(new[]
        {
            new Dictionary<string, object>
            {
                ["version"] = 2, ["model_name"] = name, ["model_lang"] = new[] { "en" }, ["model_ability"] = new[] { "chat" },
                ["model_specs"] = new[]
                {
                    new Dictionary<string, object>
                    {
                        ["model_format"] = "pytorch", ["model_size_in_billions"] = 7,
                        ["model_src"] = new { huggingface = new { model_id = "org/" + name, quantizations = new[] { "none" } } },
                    },
                },
                ["updated_at"] = 1_700_000_000,
            },
        }),
    };

    private static HashSet<string> Names(DownloadDocument document) =>
        JsonDocument.Parse(document.Json).RootElement.EnumerateArray().Select(e => e.GetProperty("model_name").GetString()!).ToHashSet();

    [Fact]
    public async Task WhileOneRequestRevalidatesTheOthersGetTheCurrentListAtOnce()
    {
        var built = await _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(6));
        _store.Hold();

        var revalidating = _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None).AsTask();
        await _store.Held.WaitAsync(TimeSpan.FromSeconds(10));
        var others = Enumerable.Range(0, 8).Select(_ => _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None).AsTask()).ToList();

        Assert.All(others, o => Assert.True(o.IsCompletedSuccessfully, "a request waited for another's revalidation"));
        Assert.All(others, o => Assert.Same(built, o.Result));
        Assert.False(revalidating.IsCompleted);
        Assert.Equal(1, _store.Queries);

        _store.Release();
        Assert.Equal(built.ETag, (await revalidating.WaitAsync(TimeSpan.FromSeconds(10))).ETag);
    }

    [Fact]
    public async Task AfterAChangeOnThisInstanceNoRequestGetsTheOlderList()
    {
        await _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(6));
        _store.Hold();
        var revalidating = _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None).AsTask();
        await _store.Held.WaitAsync(TimeSpan.FromSeconds(10));

        // The change commits after the revalidation listed the catalog, and is announced.
        var second = Llm("second-llm");
        _store.Add(second);
        await _catalog.OnModelChangedAsync(new ModelChange(second.Name, null, second), CancellationToken.None);
        var afterChange = _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None).AsTask();
        Assert.False(afterChange.IsCompleted, "a request after the change got the list from before it");

        _store.Release();
        await revalidating.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("second-llm", Names(await afterChange.WaitAsync(TimeSpan.FromSeconds(10))));
        Assert.Contains("second-llm", Names(await _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None)));
    }

    [Fact]
    public async Task AListPastItsModelsExpiryIsNeverServed()
    {
        var expiring = Llm("expiring-llm");
        expiring.ExpiresAt = _clock.GetUtcNow().AddSeconds(2);
        _store.Add(expiring);
        Assert.Contains("expiring-llm", Names(await _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None)));
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain("expiring-llm", Names(await _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None)));
    }

    [Fact]
    public async Task ARebuildThatFailsAfterAChangeLeavesTheListStale()
    {
        await _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None);
        var second = Llm("second-llm");
        _store.Add(second);
        await _catalog.OnModelChangedAsync(new ModelChange(second.Name, null, second), CancellationToken.None);

        _store.FailNext = true;
        await Assert.ThrowsAsync<TimeoutException>(async () => await _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None));
        Assert.Contains("second-llm", Names(await _catalog.GetAsync(ModelType.Llm, DownloadAudience.Standard, CancellationToken.None)));
    }

    /// <summary>An in-memory model store whose listing can be held open, to stand for a slow catalog query.</summary>
    private sealed class GatedStore : IModelStore
    {
        private readonly Dictionary<string, HubModel> _models = new(StringComparer.Ordinal);
        private TaskCompletionSource _open = CompletedGate();
        private int _queries;

        public SemaphoreSlim Held { get; } = new(0);

        public int Queries => Volatile.Read(ref _queries);

        /// <summary>The next listing fails, as a store timeout would.</summary>
        public bool FailNext { get; set; }

        private static TaskCompletionSource CompletedGate()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            gate.SetResult();
            return gate;
        }

        public void Add(HubModel model)
        {
            lock (_models) _models[model.Id] = model;
        }

        public void Hold()
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _queries = 0;
        }

        public void Release() => _open.TrySetResult();

        public async Task<Page<ModelSummary>> QueryAsync(ModelQuery query, ModelVisibilityScope scope, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _queries);
            if (FailNext)
            {
                FailNext = false;
                throw new TimeoutException("the store did not answer");
            }
            List<ModelSummary> items;
            lock (_models) items = _models.Values.Where(m => m.Type == query.Type).Select(m => m.ToSummary()).ToList();
            var gate = _open.Task;
            if (!gate.IsCompleted)
            {
                Held.Release();
                await gate;
            }
            return new Page<ModelSummary>(items, null);
        }

        public Task<HubModel?> FindAsync(string name, CancellationToken cancellationToken)
        {
            lock (_models) return Task.FromResult(_models.GetValueOrDefault(HubModel.IdFor(name)));
        }

        public Task<HubModel> CreateAsync(HubModel model, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<HubModel> ReplaceAsync(HubModel model, string ifMatch, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<ModelCounts> CountAsync(ModelVisibilityScope scope, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
