using System.Text;
using System.Text.Json;
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
        var (exit, output, _) = await RunWithStdoutAsync(token, args);
        return (exit, output);
    }

    /// <summary>The exit code, everything printed, and standard output alone (for --json).</summary>
    private async Task<(int Exit, string Output, string Stdout)> RunWithStdoutAsync(string token, params string[] args)
    {
        using var cli = _hub.StartCli([.. args, "--hub", _hub.Address.ToString(), "--token", token]);
        var exit = await cli.WaitAsync(TimeSpan.FromMinutes(2));
        return (exit, cli.Output, cli.StandardOutput);
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

    [Fact]
    public async Task DatasetsUploadAndShowReportEachVersionsStatusRecordsTokensAndFirstErrors()
    {
        var token = await _hub.TokenAsync("omar", "trainer");
        var good = Path.Combine(_folder, "faq.jsonl");
        await File.WriteAllBytesAsync(good, DatasetTesting.ChatFile(300));
        var broken = Path.Combine(_folder, "faq-v2.jsonl");
        var lines = new List<string> { DatasetTesting.Chat("hi", "hello") };
        lines.AddRange(Enumerable.Range(0, 8).Select(i => $"not json {i}"));
        await File.WriteAllTextAsync(broken, string.Join("\n", lines) + "\n", new UTF8Encoding(false));
        Assert.True((await RunAsync(token, "datasets", "create", "faq", "--format", "jsonl-chat", "--description", "Questions customers ask")).Exit == 0);

        // datasets upload FILE NAME is upload FILE --dataset NAME; with --json stdout is one document, the validated version.
        var ready = await RunWithStdoutAsync(token, "datasets", "upload", good, "faq", "--json");
        Assert.True(ready.Exit == 0, $"{ready.Output}\nserver:\n{_hub.Output}");
        var version = JsonDocument.Parse(ready.Stdout).RootElement;
        Assert.Equal(("faq", "v1", "ready", 300), (version.GetProperty("dataset").GetString(), version.GetProperty("label").GetString(),
            version.GetProperty("status").GetString(), version.GetProperty("validation").GetProperty("recordCount").GetInt32()));
        var invalid = await RunAsync(token, "datasets", "upload", broken, "faq", "--version", "v2");
        Assert.Equal(1, invalid.Exit);
        Assert.Contains("faq v2 is invalid", invalid.Output);
        var missingFile = await RunAsync(token, "datasets", "upload", Path.Combine(_folder, "nowhere.jsonl"), "faq");
        Assert.Equal(2, missingFile.Exit);

        using (var api = _hub.ClientWith(token))
        {
            await DatasetTesting.WaitForDatasetAsync(api, "faq", d => d.GetProperty("versionCount").GetInt32() == 2 && d.GetProperty("status").GetString() == "ready", "two versions");
        }
        var shown = await RunAsync(token, "datasets", "show", "faq", "--errors", "3");
        Assert.True(shown.Exit == 0, shown.Output);
        Assert.Contains("Questions customers ask", shown.Output);
        Assert.Contains("jsonl-chat", shown.Output);
        Assert.Contains("v1 (newest ready)", shown.Output);
        Assert.Matches(@"v1 \*\s+│\s+ready\s+│\s+300\s+│\s+~[0-9,]+\s+│", shown.Output);
        Assert.Matches(@"v2\s+│\s+invalid\s+│\s+9\s+│", shown.Output);
        Assert.Contains("v2: 8 errors, the first 3:", shown.Output);
        Assert.Contains("line 2: Is not valid JSON", shown.Output);
        Assert.Contains("line 4: Is not valid JSON", shown.Output);
        Assert.DoesNotContain("line 5:", shown.Output);

        var json = await RunWithStdoutAsync(token, "datasets", "show", "faq", "--json");
        Assert.True(json.Exit == 0, json.Output);
        var details = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal("faq", details.GetProperty("dataset").GetProperty("name").GetString());
        Assert.Equal(["ready", "invalid"], details.GetProperty("versions").EnumerateArray()
            .OrderBy(v => v.GetProperty("label").GetString(), StringComparer.Ordinal).Select(v => v.GetProperty("status").GetString()));
        Assert.True(details.GetProperty("dataset").GetProperty("tokenEstimate").GetInt64() > 0);

        var missing = await RunAsync(token, "datasets", "show", "no-such-dataset");
        Assert.Equal(1, missing.Exit);
        Assert.Contains("404", missing.Output);
    }
}
