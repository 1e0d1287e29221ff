using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Core.Imports;
using ModelsHub.Infrastructure.HuggingFace;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.HuggingFaceTesting;

namespace ModelsHub.IntegrationTests.Imports;

/// <summary>The hub's Hugging Face client against the fake Hub: what it reads, how it follows redirects, what each refusal becomes.</summary>
public sealed class HuggingFaceHubClientTests : IAsyncLifetime
{
    private FakeHuggingFace _hf = null!;
    private ServiceProvider _services = null!;
    private IHuggingFaceHub _client = null!;

    public async Task InitializeAsync()
    {
        _hf = await FakeHuggingFace.StartAsync();
        _hf.AddRepositories();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HuggingFace:Endpoint"] = _hf.Endpoint.ToString(),
            ["HuggingFace:Timeout"] = "00:00:05",
        }).Build();
        _services = new ServiceCollection().AddHubHuggingFace(configuration).BuildServiceProvider();
        _client = _services.GetRequiredService<IHuggingFaceHub>();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _hf.DisposeAsync();
    }

    [Fact]
    public async Task ModelInfoListsEveryFileWithItsSizeAndTheLfsSha256()
    {
        var model = await _client.GetModelAsync(Gpt2, "main", null, CancellationToken.None);
        Assert.Equal(Gpt2, model.Id);
        Assert.Equal(_hf.Head(Gpt2), model.Commit);
        Assert.Equal("text-generation", model.PipelineTag);
        Assert.Equal("transformers", model.LibraryName);
        Assert.Null(model.Gated);
        Assert.Equal("mit", model.CardData!.Value.GetProperty("license").GetString());
        var weights = Assert.Single(model.Files, f => f.Path == "model.safetensors");
        Assert.Equal(_hf.File(Gpt2, "model.safetensors").Sha256, weights.LfsSha256);
        Assert.Equal(3_000_000, weights.Size);
        var config = Assert.Single(model.Files, f => f.Path == "config.json");
        Assert.Null(config.LfsSha256);
        Assert.Equal(_hf.File(Gpt2, "config.json").BlobId, config.BlobId);
        Assert.Contains(_hf.Requests, r => r.StartsWith("GET /api/models/openai-community/gpt2/revision/main?blobs=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARenamedRepositoryIsFollowedWithTheTokenKept()
    {
        _hf.AddAlias("private-model", Private);
        var model = await _client.GetModelAsync("private-model", "main", GrantedToken, CancellationToken.None);
        Assert.Equal(Private, model.Id);
        var redirected = _hf.Requests.Last(r => r.Contains("/api/models/acme/private-model", StringComparison.Ordinal));
        Assert.EndsWith("[auth]", redirected);
    }

    [Fact]
    public async Task AnLfsFileIsReadFromTheCdnFromAnOffsetWithoutTheToken()
    {
        var file = _hf.File(Gated, "model.safetensors");
        await using var download = await _client.OpenFileAsync(Gated, _hf.Head(Gated), "model.safetensors", 1_000_000, GrantedToken, CancellationToken.None);
        Assert.Equal(1_000_000, download.Offset);
        Assert.Equal(file.Size, download.TotalSize);
        Assert.Equal(_hf.Head(Gated), download.Commit);
        Assert.Equal(file.Sha256, download.ETag);
        using var copy = new MemoryStream();
        await download.Content.CopyToAsync(copy);
        var expected = new byte[file.Size - 1_000_000];
        file.Content.Read(1_000_000, expected);
        Assert.Equal(SHA256.HashData(expected), SHA256.HashData(copy.ToArray()));
        Assert.Equal(0, _hf.CdnRequestsWithToken);
        // The fake records a response once its handler returns, which may be just after the client read the last byte.
        var served = Assert.Single(await GitHubTesting.EventuallyAsync(
            () => Task.FromResult(_hf.Downloads(Gated, "model.safetensors") is { Count: > 0 } d ? d : null), "the fake's record of the download"));
        Assert.Equal((1_000_000L, file.Size - 1), (served.From, served.To));
    }

    [Fact]
    public async Task ARegularFileIsServedByTheHubWithItsGitBlobId()
    {
        await using var download = await _client.OpenFileAsync(Gpt2, _hf.Head(Gpt2), "config.json", 0, null, CancellationToken.None);
        Assert.Equal(_hf.File(Gpt2, "config.json").BlobId, download.ETag);
        Assert.Equal(_hf.Head(Gpt2), download.Commit);
    }

    [Fact]
    public async Task EachRefusalOfTheHubSaysWhatItIs()
    {
        async Task<HuggingFaceException> Fails(Func<Task> call) => await Assert.ThrowsAsync<HuggingFaceException>(call);

        var gatedAnonymous = await Fails(() => _client.ProbeFileAsync(Gated, "main", "model.safetensors", null, CancellationToken.None));
        Assert.Equal((HuggingFaceError.Gated, 401), (gatedAnonymous.Error, gatedAnonymous.Status));
        var gatedOther = await Fails(() => _client.OpenFileAsync(Gated, "main", "model.safetensors", 0, OtherToken, CancellationToken.None));
        Assert.Equal((HuggingFaceError.Gated, 403), (gatedOther.Error, gatedOther.Status));
        Assert.Contains("not in the authorized list", gatedOther.Message);
        var probe = await _client.ProbeFileAsync(Gated, "main", "model.safetensors", GrantedToken, CancellationToken.None);
        Assert.Equal(1_500_000, probe.Size);

        var missing = await Fails(() => _client.GetModelAsync("nobody/nothing", "main", null, CancellationToken.None));
        Assert.Equal((HuggingFaceError.RepoNotFound, 401), (missing.Error, missing.Status));
        var privateAnonymous = await Fails(() => _client.GetModelAsync(Private, "main", null, CancellationToken.None));
        Assert.Equal(HuggingFaceError.RepoNotFound, privateAnonymous.Error);
        var privateOther = await Fails(() => _client.GetModelAsync(Private, "main", OtherToken, CancellationToken.None));
        Assert.Equal((HuggingFaceError.RepoNotFound, 404), (privateOther.Error, privateOther.Status));
        var revision = await Fails(() => _client.GetModelAsync(Gpt2, "no-such-branch", null, CancellationToken.None));
        Assert.Equal(HuggingFaceError.RevisionNotFound, revision.Error);
        var entry = await Fails(() => _client.OpenFileAsync(Gpt2, "main", "nope.bin", 0, null, CancellationToken.None));
        Assert.Equal(HuggingFaceError.EntryNotFound, entry.Error);
        var badToken = await Fails(() => _client.GetModelAsync(Gpt2, "main", "hf_bad", CancellationToken.None));
        Assert.Equal(HuggingFaceError.TokenRejected, badToken.Error);
        Assert.Equal(HuggingFaceError.TokenRejected, (await Fails(() => _client.WhoAmIAsync("hf_bad", CancellationToken.None))).Error);
        Assert.Equal(new HuggingFaceAccount(GrantedUser, "read"), await _client.WhoAmIAsync(GrantedToken, CancellationToken.None));
    }

    [Fact]
    public async Task AnUnreachableHubIsTransient()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HuggingFace:Endpoint"] = "http://127.0.0.1:1",
            ["HuggingFace:Timeout"] = "00:00:02",
        }).Build();
        await using var services = new ServiceCollection().AddHubHuggingFace(configuration).BuildServiceProvider();
        var error = await Assert.ThrowsAsync<HuggingFaceException>(() => services.GetRequiredService<IHuggingFaceHub>().GetModelAsync(Gpt2, "main", null, CancellationToken.None));
        Assert.True(error.IsTransient);
        Assert.Equal(HuggingFaceError.Unavailable, error.Error);
    }
}
