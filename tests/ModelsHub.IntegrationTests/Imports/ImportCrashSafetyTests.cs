using System.Net;
using System.Net.Http.Json;
using ModelsHub.Core.Imports;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.IntegrationTests.Reviews;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.HuggingFaceTesting;

namespace ModelsHub.IntegrationTests.Imports;

/// <summary>
/// The hub is a real process: killed in the middle of a file (SIGKILL while the Hub's answer is on
/// its way), or ended by fault injection at every step boundary of the import workflow, then started
/// again on the same data folder. The import resumes where the stored chunks end (a Range request),
/// no byte range is fetched twice beyond the chunk in flight, and exactly one verified version exists.
/// </summary>
[Collection(nameof(CrashSafetyCollection))]
public sealed class ImportCrashSafetyTests : IAsyncLifetime
{
    private const int Chunk = 256 * 1024;
    private const string Repo = "big/weights";
    private const string File = "model.safetensors";
    private const long Size = 40L * Chunk + 12_345;

    private FakeHuggingFace _hf = null!;

    public async Task InitializeAsync()
    {
        _hf = await FakeHuggingFace.StartAsync();
        _hf.AddRepositories();
        _hf.AddModel(Repo, new Dictionary<string, FakeContent>
        {
            ["README.md"] = FakeContent.Of("# Big weights\n"),
            ["config.json"] = FakeContent.Of("{\"model_type\": \"big\"}"),
            [File] = FakeContent.Pattern(Size, 31),
        }, pipelineTag: "text-generation", libraryName: "transformers");
    }

    public async Task DisposeAsync() => await _hf.DisposeAsync();

    private Dictionary<string, string> Settings(string? crashAt = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["HuggingFace__Endpoint"] = _hf.Endpoint.ToString(),
            // A stalled read fails within the visibility timeout, so no second reader ever copies the same file at once.
            ["HuggingFace__Timeout"] = "00:00:02",
            ["Uploads__ChunkSizeBytes"] = Chunk.ToString(),
            ["Workflows__VisibilityTimeout"] = "00:00:04",
            ["Workflows__RetryDelay"] = "00:00:00.200",
            ["Workflows__MaxRetryDelay"] = "00:00:01",
            ["Workflows__SweeperSchedule"] = "* * * * * *",
        };
        if (crashAt is not null) settings["Workflows__CrashAt"] = crashAt;
        return settings;
    }

    [Fact]
    public async Task AnImportKilledMidFileResumesWithRangeAndFetchesNoByteTwiceBeyondTheChunkInFlight()
    {
        var stallAt = 23L * Chunk + 1000;
        var stall = _hf.StallAt(Repo, File, stallAt);
        var data = Directory.CreateTempSubdirectory("modelshub-import-kill-").FullName;
        try
        {
            string id;
            await using (var doomed = await HubProcess.StartAsync(data, Settings()))
            {
                var client = await doomed.ImporterAsync();
                id = await StartImportAsync(client, new { repoId = Repo, include = new[] { File, "config.json" } });
                await stall.Reached.WaitAsync(TimeSpan.FromSeconds(60));
                // Every whole chunk before the stall is stored before the kill; the one in flight is not.
                await GitHubTesting.EventuallyAsync<object>(async () =>
                {
                    var import = await (await client.GetAsync($"/api/imports/{id}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
                    var weights = import.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("path").GetString() == File);
                    return weights.GetProperty("bytesDone").GetInt64() == 23L * Chunk ? true : null;
                }, "23 chunks stored", TimeSpan.FromSeconds(60));
            }
            // The held answer ends with the killed connection; the fake served up to the stall and no further.
            Assert.Equal(stallAt, _hf.BytesServed(Repo, File));

            await using var restarted = await HubProcess.StartAsync(data, Settings());
            var admin = await restarted.ClientForAsync("ada", "admin");
            var done = await FinishedImportAsync(admin, id, TimeSpan.FromSeconds(90));
            Assert.True(done.GetProperty("state").GetString() == "succeeded", done.ToString());

            // The resumed request asked for the first missing chunk on, and nothing before it came twice.
            var downloads = _hf.Downloads(Repo, File);
            Assert.Contains(downloads, d => d.From == 23L * Chunk && d.Completed);
            var refetched = _hf.BytesServed(Repo, File) - Size;
            Assert.InRange(refetched, 0, Chunk);
            Assert.Equal(stallAt - 23L * Chunk, refetched);

            var version = await (await admin.GetAsync("/api/models/weights/versions/v1").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            Assert.Equal("ready", version.GetProperty("status").GetString());
            var weightsFile = version.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("name").GetString() == File);
            Assert.Equal(_hf.File(Repo, File).Sha256, weightsFile.GetProperty("sha256").GetString());
        }
        finally
        {
            stall.Release();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    public static TheoryData<string> Boundaries()
    {
        var data = new TheoryData<string>();
        foreach (var step in HuggingFaceImportWorkflow.Steps.All.Where(s => s != HuggingFaceImportWorkflow.Steps.TakeBack))
        {
            data.Add(step);
            data.Add(step + ":after-save");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task AfterACrashAtAnyStepTheImportFinishesWithOneModelAndOneVerifiedVersion(string crashAt)
    {
        var name = "crash-" + crashAt.Replace(':', '-');
        var data = Directory.CreateTempSubdirectory("modelshub-import-crash-").FullName;
        try
        {
            string id;
            await using (var doomed = await HubProcess.StartAsync(data, Settings(crashAt)))
            {
                var client = await doomed.ImporterAsync();
                id = await StartImportAsync(client, new { repoId = Gpt2, include = new[] { "*.json", "*.safetensors" }, model = new { name } });
                Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"the server did not crash at {crashAt}:\n{doomed.Output}");
                Assert.Contains("Workflows:CrashAt=" + crashAt, doomed.Output);
            }

            await using var restarted = await HubProcess.StartAsync(data, Settings());
            var client2 = await restarted.ClientForAsync("mia", "user");
            var done = await FinishedImportAsync(client2, id, TimeSpan.FromSeconds(90));
            Assert.True(done.GetProperty("state").GetString() == "succeeded", done.ToString());
            Assert.True(done.GetProperty("modelCreated").GetBoolean());

            var versions = await (await client2.GetAsync($"/api/models/{name}/versions").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            var only = Assert.Single(versions.GetProperty("items").EnumerateArray());
            Assert.Equal(("v1", "ready"), (only.GetProperty("label").GetString(), only.GetProperty("status").GetString()));
            var files = only.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("sha256").GetString());
            Assert.Equal(["config.json", "model.safetensors", "tokenizer.json"], files.Keys.Order(StringComparer.Ordinal));
            Assert.All(files, f => Assert.Equal(_hf.File(Gpt2, f.Key).Sha256, f.Value));
            var models = await (await client2.GetAsync($"/api/models?q={name}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            Assert.Single(models.GetProperty("items").EnumerateArray());
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
