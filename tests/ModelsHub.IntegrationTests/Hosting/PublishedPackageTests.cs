using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Hosting;

/// <summary>
/// <c>dotnet publish src/Functions</c> once (Release, as the README says), then the published server
/// started from that folder the way the Functions host starts a custom handler.
/// </summary>
public sealed class PublishedPackage : IAsyncLifetime
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "modelshub-tests", "publish-" + Guid.NewGuid().ToString("N"));

    public HubProcess Server { get; private set; } = null!;

    public JsonObject HostJson { get; private set; } = null!;

    /// <summary>Every function of the package: its folder name and its function.json.</summary>
    public IReadOnlyDictionary<string, JsonObject> Functions { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // MSBuild's worker nodes die now and then on a machine short of CPU (MSB4166, "child node exited prematurely"):
        // that is the build machine's trouble, not the package's, so such a publish is tried once more.
        var (exit, log) = await PublishAsync();
        if (exit != 0 && log.Contains("MSB4166", StringComparison.Ordinal))
        {
            (exit, log) = await PublishAsync();
        }
        if (exit != 0)
        {
            throw new Xunit.Sdk.XunitException($"dotnet publish exited with {exit}:\n{log}");
        }

        HostJson = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, "host.json")))!.AsObject();
        // Exactly what the host indexes: each direct subfolder holding a function.json is a function.
        Functions = Directory.GetDirectories(Folder)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .ToDictionary(d => Path.GetFileName(d), d => JsonNode.Parse(File.ReadAllText(Path.Combine(d, "function.json")))!.AsObject(), StringComparer.Ordinal);

        var executable = HostJson["customHandler"]?["description"]?["defaultExecutablePath"]?.GetValue<string>()
            ?? throw new Xunit.Sdk.XunitException("host.json names no customHandler.description.defaultExecutablePath");
        Server = await HubProcess.StartAsCustomHandlerAsync(Path.Combine(Folder, executable), new Dictionary<string, string>
        {
            ["Storage__Profile"] = "Embedded",
            // Nothing listens on the discard port: a sync's GitHub step fails fast and is retried, never reaching github.com.
            ["GitHub__ApiUrl"] = "http://127.0.0.1:9/",
            ["Workflows__SweeperSchedule"] = HubApplication.NeverDuringTests,
            ["Uploads__ExpirySchedule"] = HubApplication.NeverDuringTests,
        });
    }

    private async Task<(int Exit, string Log)> PublishAsync()
    {
        var publish = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = UpstreamFixtures.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Without ReadyToRun: compiling the runtime and the app to native code takes minutes and changes no behaviour this
        // tests (the layout, and the server answering the host); ./bench.sh startup publishes and starts the real package.
        foreach (var arg in new[] { "publish", Path.Combine("src", "Functions"), "-c", "Release", "-o", Folder, "-nologo", "-nodeReuse:false", "-p:PublishReadyToRun=false" })
        {
            publish.ArgumentList.Add(arg);
        }
        // The test host's own MSBuild settings must not leak into a separate build.
        foreach (var key in publish.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            publish.Environment.Remove(key);
        }
        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15)))
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        return (process.ExitCode, await output + "\n" + await errors);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The Functions app package: its layout, and the published server answering the host's invocations.</summary>
public sealed class PublishedPackageTests(PublishedPackage package) : IClassFixture<PublishedPackage>
{
    private static readonly string[] AllMethods = ["delete", "get", "head", "options", "patch", "post", "put"];

    private static string TriggerType(JsonObject function) => Trigger(function)["type"]!.GetValue<string>();

    private static JsonObject Trigger(JsonObject function) =>
        function["bindings"]!.AsArray().Select(b => b!.AsObject()).Single(b => b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal));

    private IEnumerable<(string Name, JsonObject Function)> NonHttpFunctions() =>
        package.Functions.Where(f => TriggerType(f.Value) != "httpTrigger").Select(f => (f.Key, f.Value)).OrderBy(f => f.Key, StringComparer.Ordinal);

    /// <summary>A valid invocation, shaped as the host sends it for the function's trigger type.</summary>
    private static object ValidPayload(JsonObject function, string? workflowId = null)
    {
        var binding = Trigger(function)["name"]!.GetValue<string>();
        return TriggerType(function) switch
        {
            "queueTrigger" => new Dictionary<string, object>
            {
                ["Data"] = new Dictionary<string, object> { [binding] = JsonSerializer.Serialize(new { workflowId = workflowId ?? "wf-none" }) },
                ["Metadata"] = new { DequeueCount = 1, Id = Guid.NewGuid().ToString(), InsertionTime = DateTimeOffset.UtcNow },
            },
            "eventGridTrigger" => new Dictionary<string, object>
            {
                ["Data"] = new Dictionary<string, object>
                {
                    [binding] = new
                    {
                        id = Guid.NewGuid().ToString(),
                        eventType = "Microsoft.Storage.BlobCreated",
                        subject = "/blobServices/default/containers/models/blobs/staging/none/none.bin",
                        data = new { url = "http://127.0.0.1:10000/devstoreaccount1/models/staging/none/none.bin", contentLength = 1 },
                        eventTime = DateTimeOffset.UtcNow,
                        dataVersion = "",
                    },
                },
                ["Metadata"] = new { },
            },
            "timerTrigger" => new Dictionary<string, object>
            {
                ["Data"] = new Dictionary<string, object> { [binding] = new { Schedule = new { AdjustForDST = true }, IsPastDue = false } },
                ["Metadata"] = new { sys = new { MethodName = "timer", UtcNow = DateTimeOffset.UtcNow } },
            },
            var other => throw new Xunit.Sdk.XunitException($"No payload for a {other}."),
        };
    }

    private async Task<HttpClient> AdminAsync() => await package.Server.ClientForAsync("ada", "admin");

    private static Task<HttpResponseMessage> PostRawAsync(HttpClient client, string url, string body) =>
        client.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));

    [Fact]
    public void HostJsonAtTheRootRunsThePublishedServerAsACustomHandler()
    {
        var host = package.HostJson;
        var handler = host["customHandler"]!.AsObject();
        var executable = Path.Combine(package.Folder, handler["description"]!["defaultExecutablePath"]!.GetValue<string>());

        Assert.True(File.Exists(executable), $"{executable} is not in the package");
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(executable) & UnixFileMode.UserExecute) != 0, $"{executable} is not executable");
        }
        Assert.True(handler["enableForwardingHttpRequest"]!.GetValue<bool>());
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", host["extensionBundle"]!["id"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(host["extensionBundle"]!["version"]?.GetValue<string>()));
        var queues = Assert.IsType<JsonObject>(host["extensions"]?["queues"], exactMatch: false);
        // The hub writes Base64 (StorageQueueWorkQueue); the host must decode the same way.
        Assert.Equal("base64", queues["messageEncoding"]!.GetValue<string>());
        Assert.True(queues["batchSize"]!.GetValue<int>() > 0);
        Assert.True(queues["maxDequeueCount"]!.GetValue<int>() > 0);
        Assert.True(TimeSpan.TryParse(queues["visibilityTimeout"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public void ThePackageCarriesItsOwnLinuxRuntime()
    {
        // The Linux custom-handler image has no .NET 10 runtime: a framework-dependent package would not start there.
        var runtimeConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(package.Folder, "ModelsHub.Functions.runtimeconfig.json")))!["runtimeOptions"]!.AsObject();

        Assert.NotNull(runtimeConfig["includedFrameworks"]);
        Assert.Null(runtimeConfig["framework"]);
        Assert.Null(runtimeConfig["frameworks"]);
        Assert.True(File.Exists(Path.Combine(package.Folder, "libcoreclr.so")), "no linux runtime (libcoreclr.so) in the package");
    }

    [Fact]
    public void ThePackageHoldsTheSevenFunctionsWithTheirTriggers()
    {
        var functions = package.Functions;

        Assert.Equal(["Api", "BlobCreated", "ServerMonitor", "UploadExpiry", "UpstreamSync", "WorkflowQueue", "WorkflowSweeper"], functions.Keys.Order(StringComparer.Ordinal));
        var api = Trigger(functions["Api"]);
        Assert.Equal("httpTrigger", api["type"]!.GetValue<string>());
        Assert.Equal("{*path}", api["route"]!.GetValue<string>());
        Assert.Equal(AllMethods, api["methods"]!.AsArray().Select(m => m!.GetValue<string>().ToLowerInvariant()).Order(StringComparer.Ordinal));
        Assert.Equal("queueTrigger", TriggerType(functions["WorkflowQueue"]));
        Assert.Equal("eventGridTrigger", TriggerType(functions["BlobCreated"]));
        foreach (var timer in new[] { "UpstreamSync", "WorkflowSweeper", "UploadExpiry", "ServerMonitor" })
        {
            Assert.Equal("timerTrigger", TriggerType(functions[timer]));
            Assert.False(string.IsNullOrEmpty(Trigger(functions[timer])["schedule"]?.GetValue<string>()), $"{timer} has no schedule");
        }
    }

    [Fact]
    public async Task EveryNonHttpFunctionAnswersTheHostsPayloadWithOutputsLogsAndReturnValue()
    {
        var client = package.Server.Client;
        var functions = NonHttpFunctions().ToList();
        Assert.Equal(6, functions.Count);

        foreach (var (name, function) in functions)
        {
            // Default options: the host's envelope is PascalCase, binding names exactly as declared.
            var response = await client.PostAsJsonAsync("/" + name, ValidPayload(function), new JsonSerializerOptions());
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{package.Server.Output}");
            var body = await response.JsonAsync();
            Assert.Equal(JsonValueKind.Object, body.ValueKind);
            Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
            Assert.Equal(JsonValueKind.Array, body.GetProperty("Logs").ValueKind);
            Assert.True(body.TryGetProperty("ReturnValue", out _), $"{name}: no ReturnValue in {body}");
        }
    }

    [Fact]
    public async Task AMalformedPayloadIsA400ForEveryNonHttpFunction()
    {
        var client = package.Server.Client;
        foreach (var (name, _) in NonHttpFunctions())
        {
            foreach (var payload in new[] { "{}", "{\"Data\": 5}", "{\"Data\": {\"other\": 1}, \"Metadata\": {}}", "[1]", "not json" })
            {
                var response = await PostRawAsync(client, "/" + name, payload);
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name} answered {(int)response.StatusCode} to {payload}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    [Fact]
    public async Task AMalformedInvocationProcessesNothingWhileAValidOneDoes()
    {
        var admin = await AdminAsync();
        var client = package.Server.Client;
        async Task<int> SyncRunsAsync() => (await (await admin.GetAsync("/api/sync?pageSize=100").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("items").GetArrayLength();

        // A timer invocation without its timer binding starts no sync run; a valid one does.
        var before = await SyncRunsAsync();
        await PostRawAsync(client, "/UpstreamSync", "{\"Data\": {\"schedule\": {}}, \"Metadata\": {}}").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(before, await SyncRunsAsync());
        await client.PostAsJsonAsync("/UpstreamSync", ValidPayload(package.Functions["UpstreamSync"]), new JsonSerializerOptions()).ExpectAsync(HttpStatusCode.OK);
        var runs = (await (await admin.GetAsync("/api/sync?pageSize=100").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("items");
        // One more run, or none when it joined the run another test's invocation left under way (its workflow never moves here).
        Assert.True(runs.GetArrayLength() == Math.Max(before, 1), $"{before} runs before, {runs.GetArrayLength()} after");
        var run = await (await admin.GetAsync($"/api/sync/{runs[0].GetProperty("id").GetString()}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var workflowId = run.GetProperty("workflow").GetProperty("id").GetString()!;

        // Nothing dispatches in-process under the host, so the run's workflow moves only when the queue trigger is invoked.
        async Task<string> WorkflowAsync() => (await (await admin.GetAsync($"/api/workflows/{workflowId}").ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync());
        var untouched = await WorkflowAsync();
        var message = JsonSerializer.Serialize(new { workflowId });
        foreach (var malformed in new[]
                 {
                     JsonSerializer.Serialize(new { Data = new { queueItemX = message }, Metadata = new { DequeueCount = 1 } }),
                     JsonSerializer.Serialize(new { Data = message, Metadata = new { DequeueCount = 1 } }),
                     JsonSerializer.Serialize(new { Data = new { queueItem = "{\"workflow\": \"" + workflowId + "\"}" }, Metadata = new { DequeueCount = 1 } }),
                 })
        {
            await PostRawAsync(client, "/WorkflowQueue", malformed).ExpectAsync(HttpStatusCode.BadRequest);
        }
        Assert.Equal(untouched, await WorkflowAsync());

        await client.PostAsJsonAsync("/WorkflowQueue", ValidPayload(package.Functions["WorkflowQueue"], workflowId), new JsonSerializerOptions()).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(untouched, await WorkflowAsync());
    }

    /// <summary>The web app as the published hub serves it: precompressed, its fingerprinted files cached for good.</summary>
    [Fact]
    public async Task TheAppsFingerprintedFilesComeBrotliCompressedAndImmutable()
    {
        var client = package.Server.Client;
        var wasm = await WebAppHostingTests.GetAsync(client, "/_framework/" + await WebAppHostingTests.FingerprintedAssemblyAsync(client));

        Assert.Equal(HttpStatusCode.OK, wasm.StatusCode);
        Assert.Equal("br", wasm.Content.Headers.ContentEncoding.Single());
        Assert.Contains("immutable", wasm.Headers.CacheControl?.ToString());
        Assert.Equal(TimeSpan.FromDays(365), wasm.Headers.CacheControl?.MaxAge);

        // Plainly named files (the loader, the page) are revalidated: a deployment changes them under the same name.
        var loader = await WebAppHostingTests.GetAsync(client, "/_framework/dotnet.js");
        Assert.DoesNotContain("immutable", loader.Headers.CacheControl?.ToString() ?? "");
        Assert.NotNull(loader.Headers.ETag);
        var page = await client.GetAsync("/models/qwen3");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", page.Headers.CacheControl?.ToString());
    }
}
