using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.PullRequests;
using ModelsHub.Core.Reviews;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="ISubmissionStore"/> adapter must do: unique revisions per model, ETags, the queue's filters and paging.</summary>
public abstract class SubmissionStoreContract
{
    protected abstract ISubmissionStore Store { get; }

    private readonly string _prefix = "s" + Guid.NewGuid().ToString("N")[..6] + "-";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private Submission New(string model, int revision, string submitter = "carol", int minute = 0, ModelType type = ModelType.Llm) => new()
    {
        Id = _prefix + model + "-" + revision,
        ModelName = _prefix + model,
        ModelType = type,
        Kind = revision == 1 ? ChangeKind.Register : ChangeKind.Update,
        Revision = revision,
        Submitter = submitter,
        SubmittedAt = T0.AddMinutes(minute),
        Proposed = new HubModel { Id = HubModel.IdFor(_prefix + model), Name = _prefix + model, Owner = submitter, Description = "proposed" },
        Changes = [new FieldChange("description", null, System.Text.Json.JsonSerializer.SerializeToElement("proposed"))],
    };

    [Fact]
    public async Task ARevisionNumberIsTakenOncePerModelAndReplaceNeedsTheETag()
    {
        var created = await Store.CreateAsync(New("m", 1), CancellationToken.None);
        var clash = New("m", 1);
        await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(new Submission { Id = clash.Id + "x", ModelName = clash.ModelName.ToUpperInvariant(), Revision = 1, Submitter = "x" }, CancellationToken.None));
        await Store.CreateAsync(New("m", 2), CancellationToken.None);
        Assert.Equal([1, 2], (await Store.ListForModelAsync((_prefix + "M").ToUpperInvariant(), CancellationToken.None)).Select(s => s.Revision));

        var found = await Store.FindAsync(created.Id, CancellationToken.None);
        Assert.Equal(("proposed", created.ETag), (found!.Proposed!.Description, found.ETag));
        var next = found.Clone();
        next.State = SubmissionState.Rejected;
        next.Feedback = "why";
        await Store.ReplaceAsync(next, found.ETag!, CancellationToken.None);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, found.ETag!, CancellationToken.None));
        Assert.Equal((SubmissionState.Rejected, "why"), ((await Store.FindAsync(created.Id, CancellationToken.None))!.State, (await Store.FindAsync(created.Id, CancellationToken.None))!.Feedback));
        Assert.Null(await Store.FindAsync(_prefix + "none", CancellationToken.None));
    }

    [Fact]
    public async Task TheQueueFiltersAndPagesOldestFirst()
    {
        await Store.CreateAsync(New("q1", 1, "ann", 3), CancellationToken.None);
        await Store.CreateAsync(New("q2", 1, "bob", 1, ModelType.Video), CancellationToken.None);
        await Store.CreateAsync(New("q3", 1, "ann", 2), CancellationToken.None);
        async Task<List<string>> All(SubmissionQuery query)
        {
            var ids = new List<string>();
            string? token = null;
            do
            {
                var page = await Store.QueryAsync(query with { ContinuationToken = token, PageSize = 1 }, CancellationToken.None);
                ids.AddRange(page.Items.Select(i => i.ModelName[_prefix.Length..]));
                token = page.ContinuationToken;
            }
            while (token is not null);
            return ids;
        }
        Assert.Equal(["q2", "q3", "q1"], (await All(new SubmissionQuery { SubmittedAfter = T0, SubmittedBefore = T0.AddMinutes(10) })).Where(n => n.StartsWith('q')));
        Assert.Equal(["q3", "q1"], await All(new SubmissionQuery { Submitter = "ann" }));
        Assert.Equal(["q2"], await All(new SubmissionQuery { Type = ModelType.Video, State = SubmissionState.Pending }));
        Assert.Equal(["q3"], await All(new SubmissionQuery { Submitter = "ann", SubmittedBefore = T0.AddMinutes(2) }));
        Assert.Equal(["q1"], await All(new SubmissionQuery { ModelName = _prefix + "Q1" }));
        var page = await Store.QueryAsync(new SubmissionQuery { Submitter = "ann", PageSize = 1 }, CancellationToken.None);
        await Assert.ThrowsAsync<ValidationException>(() => Store.QueryAsync(new SubmissionQuery { Submitter = "bob", ContinuationToken = page.ContinuationToken }, CancellationToken.None));
    }

    [Fact]
    public async Task OnlySubmissionsWhosePullRequestIsOpenAreListedOldestFirst()
    {
        ModelPullRequest Pr(int number, PullRequestState state) => new(number, $"https://github.example/pull/{number}", state, "o/r", "chore/models-sync/x", null, T0);
        async Task<Submission> CreateAsync(string model, int minute, ModelPullRequest? pullRequest)
        {
            var submission = New(model, 1, minute: minute);
            submission.State = SubmissionState.Approved;
            submission.PullRequest = pullRequest;
            return await Store.CreateAsync(submission, CancellationToken.None);
        }
        var later = await CreateAsync("pr-later", 9, Pr(1, PullRequestState.Open));
        await CreateAsync("pr-earlier", 4, Pr(2, PullRequestState.Open));
        await CreateAsync("pr-merged", 1, Pr(3, PullRequestState.Merged));
        await CreateAsync("pr-none", 2, null);
        async Task<List<string>> Listed() => (await Store.ListWithOpenPullRequestAsync(CancellationToken.None))
            .Where(s => s.ModelName.StartsWith(_prefix, StringComparison.Ordinal)).Select(s => s.ModelName[_prefix.Length..]).ToList();
        Assert.Equal(["pr-earlier", "pr-later"], await Listed());

        // The listing follows the writes: merged ones leave it.
        var next = later.Clone();
        next.PullRequest = later.PullRequest! with { State = PullRequestState.Merged, PublishedAt = T0 };
        next.PublishedAt = T0;
        await Store.ReplaceAsync(next, later.ETag!, CancellationToken.None);
        Assert.Equal(["pr-earlier"], await Listed());
        var found = (await Store.FindAsync(later.Id, CancellationToken.None))!;
        Assert.Equal((T0, T0), (found.PublishedAt, found.PullRequest!.PublishedAt));
    }
}

public sealed class SqliteSubmissionStoreContract : SubmissionStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteSubmissionStoreContract() => Store = new SqliteSubmissionStore(_db.Database);

    protected override ISubmissionStore Store { get; }

    public void Dispose() => _db.Dispose();
}
