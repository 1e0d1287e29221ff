using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// Issue 3's proof of resumption with real processes: the server on a loopback port, a CLI upload
/// killed halfway through a 64 MiB file, and a new CLI process that resumes from the server's
/// session state. The file the hub publishes must hash to the source.
/// </summary>
public sealed class ResumableUploadProcessTests : IAsyncLifetime
{
    private const int Size = 64 * 1024 * 1024;
    private const int ChunkSize = 1024 * 1024;

    private readonly string _file = Path.Combine(Path.GetTempPath(), "modelshub-tests", $"resume-{Guid.NewGuid():N}.safetensors");
    private HubProcess _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = await HubProcess.StartAsync(new Dictionary<string, string> { ["Uploads__ChunkSizeBytes"] = ChunkSize.ToString() });
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var block = new byte[ChunkSize];
        await using var stream = File.Create(_file);
        var random = new Random(64);
        for (var i = 0; i < Size / ChunkSize; i++)
        {
            random.NextBytes(block);
            await stream.WriteAsync(block);
        }
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        File.Delete(_file);
    }

    [Fact]
    public async Task AClientKilledHalfwayIsResumedByANewClientAndTheFileHashesToTheSource()
    {
        var token = await _hub.TokenAsync("uma", "user");
        using var api = _hub.ClientWith(token);
        await api.PostAsJsonAsync("/api/models", new { name = "resumed-model", type = "custom" }).ExpectAsync(HttpStatusCode.Created);
        string[] Args(params string[] extra) =>
            ["upload", _file, "--model", "resumed-model", "--version", "v1", "--hub", _hub.Address.ToString(), "--token", token, .. extra];

        // About 16 MiB/s: the first client needs ~4 s, long enough to be stopped halfway.
        using (var first = _hub.StartCli(Args("--limit-rate", "16M", "--parallel", "2")))
        {
            var upload = await WaitForUploadAsync(api, first);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await ReceivedAsync(api, upload) < Size / ChunkSize / 2)
            {
                Assert.False(first.Process.HasExited, $"the first client finished before it could be stopped:\n{first.Output}");
                Assert.True(DateTime.UtcNow < deadline, "the first client made no progress:\n" + first.Output);
                await Task.Delay(20);
            }
            await first.KillAsync();
        }

        var state = await Uploads.GetAsync(api, "/api/models/resumed-model/versions/v1/uploads/" + (await OnlyUploadAsync(api)).GetProperty("id").GetString());
        var arrived = state.GetProperty("chunksReceived").GetInt32();
        Assert.Equal("open", state.GetProperty("status").GetString());
        Assert.InRange(arrived, Size / ChunkSize / 2, Size / ChunkSize - 1);

        using var second = _hub.StartCli(Args());
        var exit = await second.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, $"the second client failed ({exit}):\n{second.Output}\nserver:\n{_hub.Output}");
        // A chunk whose bytes were all in flight when the client died may still land after the state was read: at least what was seen.
        var resumed = System.Text.RegularExpressions.Regex.Match(second.Output, $@"resuming: (\d+) of {Size / ChunkSize} chunks already uploaded");
        Assert.True(resumed.Success, second.Output);
        var already = int.Parse(resumed.Groups[1].Value);
        Assert.InRange(already, arrived, Size / ChunkSize - 1);
        var uploadedAgain = second.Output.Split('\n').Count(l => l.StartsWith("chunk ", StringComparison.Ordinal));
        Assert.Equal(Size / ChunkSize - already, uploadedAgain);

        string sourceSha;
        await using (var source = File.OpenRead(_file))
        {
            sourceSha = Convert.ToHexStringLower(await SHA256.HashDataAsync(source));
        }
        var version = await Uploads.GetAsync(api, "/api/models/resumed-model/versions/v1");
        Assert.Equal("ready", version.GetProperty("status").GetString());
        Assert.Equal(sourceSha, version.GetProperty("files")[0].GetProperty("sha256").GetString());
        await using var download = await api.GetStreamAsync("/api/models/resumed-model/versions/v1/files/" + Path.GetFileName(_file));
        Assert.Equal(sourceSha, Convert.ToHexStringLower(await SHA256.HashDataAsync(download)));
    }

    [Fact]
    public async Task CtrlCStopsAnUploadAndTheSameCommandResumesIt()
    {
        var token = await _hub.TokenAsync("uma", "user");
        using var api = _hub.ClientWith(token);
        await api.PostAsJsonAsync("/api/models", new { name = "resumed-model", type = "custom" }).ExpectAsync(HttpStatusCode.Created);
        // MODELSHUB_URL and MODELSHUB_TOKEN, as a script would set them.
        var environment = new Dictionary<string, string> { ["MODELSHUB_URL"] = _hub.Address.ToString(), ["MODELSHUB_TOKEN"] = token };
        string[] args = ["upload", _file, "--model", "resumed-model", "--version", "v1"];

        using (var first = HubProcess.StartCli(null, environment, [.. args, "--limit-rate", "16M", "--parallel", "2"]))
        {
            var upload = await WaitForUploadAsync(api, first);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await ReceivedAsync(api, upload) < Size / ChunkSize / 3)
            {
                Assert.False(first.Process.HasExited, $"the first client finished before Ctrl+C:\n{first.Output}");
                Assert.True(DateTime.UtcNow < deadline, "the first client made no progress:\n" + first.Output);
                await Task.Delay(20);
            }
            first.Interrupt();
            var exit = await first.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(exit == 130, $"exit {exit}:\n{first.Output}");
            Assert.Matches(@"interrupted: \d+ of 64 chunks are on the hub; run the same command again to resume", first.Output);
        }
        var state = await Uploads.GetAsync(api, "/api/models/resumed-model/versions/v1/uploads/" + (await OnlyUploadAsync(api)).GetProperty("id").GetString());
        Assert.Equal("open", state.GetProperty("status").GetString());
        var arrived = state.GetProperty("chunksReceived").GetInt32();
        Assert.InRange(arrived, Size / ChunkSize / 3, Size / ChunkSize - 1);

        using var second = HubProcess.StartCli(null, environment, args);
        var done = await second.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(done == 0, $"the second client failed ({done}):\n{second.Output}\nserver:\n{_hub.Output}");
        var resumed = System.Text.RegularExpressions.Regex.Match(second.Output, $@"resuming: (\d+) of {Size / ChunkSize} chunks already uploaded");
        Assert.True(resumed.Success, second.Output);
        var already = int.Parse(resumed.Groups[1].Value);
        Assert.InRange(already, arrived, Size / ChunkSize - 1);
        Assert.Contains($"sent {Size / ChunkSize - already} chunks", second.Output);
        var version = await Uploads.GetAsync(api, "/api/models/resumed-model/versions/v1");
        Assert.Equal("ready", version.GetProperty("status").GetString());
        await using var source = File.OpenRead(_file);
        Assert.Equal(Convert.ToHexStringLower(await SHA256.HashDataAsync(source)), version.GetProperty("files")[0].GetProperty("sha256").GetString());
    }

    private static async Task<JsonElement> OnlyUploadAsync(HttpClient api) =>
        Assert.Single((await Uploads.GetAsync(api, "/api/models/resumed-model/uploads")).GetProperty("items").EnumerateArray());

    private static async Task<string> WaitForUploadAsync(HttpClient api, CliProcess cli)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var items = (await Uploads.GetAsync(api, "/api/models/resumed-model/uploads")).GetProperty("items");
            if (items.GetArrayLength() == 1)
            {
                return items[0].GetProperty("url").GetString()!;
            }
            Assert.False(cli.Process.HasExited, "the client exited before opening its upload:\n" + cli.Output);
            Assert.True(DateTime.UtcNow < deadline, "the client never opened its upload:\n" + cli.Output);
            await Task.Delay(20);
        }
    }

    private static async Task<int> ReceivedAsync(HttpClient api, string upload) =>
        (await Uploads.GetAsync(api, upload)).GetProperty("chunksReceived").GetInt32();
}
