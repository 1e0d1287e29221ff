using System.Text;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Datasets;

/// <summary>
/// Issue 12's "done when", with real processes: the hub on a loopback port and the CLI creating a
/// jsonl-chat dataset, uploading a good file (ready, with its record count) and a broken one (its
/// first errors with their lines, exit code 1), and listing only the ready datasets.
/// </summary>
public sealed class DatasetCliTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "modelshub-tests", $"cli-{Guid.NewGuid():N}");
    private HubProcess _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = await HubProcess.StartAsync(new Dictionary<string, string> { ["Uploads__ChunkSizeBytes"] = "262144" });
        Directory.CreateDirectory(_folder);
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private async Task<(int Exit, string Output)> RunAsync(string token, params string[] args)
    {
        using var cli = _hub.StartCli([.. args, "--hub", _hub.Address.ToString(), "--token", token]);
        var exit = await cli.WaitAsync(TimeSpan.FromMinutes(2));
        return (exit, cli.Output);
    }

    [Fact]
    public async Task ANewcomerUploadsAGoodAndABrokenChatDatasetAndListsTheReadyOnes()
    {
        var token = await _hub.TokenAsync("nina", "trainer");
        var good = Path.Combine(_folder, "support.jsonl");
        await File.WriteAllBytesAsync(good, DatasetTesting.ChatFile(5000));
        var broken = Path.Combine(_folder, "broken.jsonl");
        await File.WriteAllTextAsync(broken, string.Join("\n",
            DatasetTesting.Chat("hi", "hello"),
            "{\"messages\": [{\"role\": \"user\", \"content\": \"no answer\"}]}",
            "this is not json",
            DatasetTesting.Chat("bye", "goodbye")) + "\n", new UTF8Encoding(false));

        var created = await RunAsync(token, "datasets", "create", "support-chats", "--format", "jsonl-chat");
        Assert.True(created.Exit == 0, created.Output);
        Assert.True((await RunAsync(token, "datasets", "create", "broken-chats", "--format", "jsonl-chat")).Exit == 0);

        var ready = await RunAsync(token, "upload", good, "--dataset", "support-chats");
        Assert.True(ready.Exit == 0, $"{ready.Output}\nserver:\n{_hub.Output}");
        Assert.Contains("version v1 created", ready.Output);
        Assert.Contains("support-chats v1 is ready: 5,000 records, ~", ready.Output);
        Assert.Contains("roles user 5,000, assistant 5,000", ready.Output);

        var invalid = await RunAsync(token, "upload", broken, "--dataset", "broken-chats");
        Assert.Equal(1, invalid.Exit);
        Assert.Contains("broken-chats v1 is invalid", invalid.Output);
        Assert.Contains("2 errors:", invalid.Output);
        Assert.Contains("line 2: Has no assistant message", invalid.Output);
        Assert.Contains("line 3: Is not valid JSON", invalid.Output);

        // What a dataset shows of its versions is written just after them; a person's next command comes later than that.
        using (var api = _hub.ClientWith(token))
        {
            await DatasetTesting.WaitForDatasetAsync(api, "support-chats", d => d.GetProperty("status").GetString() == "ready", "ready");
        }
        var listed = await RunAsync(token, "datasets", "list", "--status", "ready");
        Assert.True(listed.Exit == 0, listed.Output);
        Assert.Contains("support-chats", listed.Output);
        Assert.DoesNotContain("broken-chats", listed.Output);
        Assert.Contains("5,000", listed.Output);

        var back = Path.Combine(_folder, "back.jsonl");
        var downloaded = await RunAsync(token, "download", "--dataset", "support-chats", "--version", "v1", "--out", back);
        Assert.True(downloaded.Exit == 0, downloaded.Output);
        Assert.Equal(await File.ReadAllBytesAsync(good), await File.ReadAllBytesAsync(back));
    }
}
