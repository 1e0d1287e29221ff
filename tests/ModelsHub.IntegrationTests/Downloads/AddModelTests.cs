using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Downloads;

/// <summary>
/// Xinference's "Add Model" (seeds 000 and 001; xorbitsai/inference#4102, <c>WorkerActor.add_model</c>): each worker
/// calls <c>GET {hub}/api/models/{name}</c> and reads the type from <c>data.model_type</c> or a top-level
/// <c>model_type</c>, then <c>GET {hub}/api/models/download?model_name={name}</c> and stores the single entry object it
/// gets as that model's file. The requests here are the ones that code sends: Python requests' plain GETs, no sign-in.
/// </summary>
public sealed class AddModelTests : IAsyncLifetime
{
    private readonly HubApplication _app = new();

    public async Task InitializeAsync()
    {
        var admin = _app.ClientFor("ada", "admin");
        await admin.PostAsJsonAsync("/api/admin/upstream-import", new JsonObject { ["audio"] = JsonNode.Parse(UpstreamFixtures.ReadText("audio")) },
            HubApplication.Json).ExpectAsync(HttpStatusCode.OK);
        await Samples.RegisterDownloadAudienceModelsAsync(admin);
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A client that sends what <c>requests.get(url, timeout=...)</c> sends.</summary>
    private HttpClient Worker(string? token = null)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("python-requests/2.32.3");
        client.DefaultRequestHeaders.Accept.ParseAdd("*/*");
        client.DefaultRequestHeaders.AcceptEncoding.ParseAdd("gzip, deflate");
        client.DefaultRequestHeaders.Connection.Add("keep-alive");
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The worker's two calls: the type from the model, then the entry it stores.</summary>
    private static async Task<(string Type, JsonElement Entry, HttpResponseMessage Response)> AddModelAsync(HttpClient worker, string name)
    {
        var model = await (await worker.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var type = model.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("model_type", out var nested)
            ? nested.GetString()!
            : model.GetProperty("model_type").GetString()!;
        var response = await worker.GetAsync($"/api/models/download?model_name={Uri.EscapeDataString(name)}").ExpectAsync(HttpStatusCode.OK);
        return (type, await response.JsonAsync(), response);
    }

    [Fact]
    public async Task TheWorkerGetsTheTypeAndTheSingleEntryOfAHubModel()
    {
        var (type, entry, response) = await AddModelAsync(Worker(), "hub-own-llm");

        Assert.Equal("llm", type);
        Assert.Equal(JsonValueKind.Object, entry.ValueKind);
        Assert.Equal("hub-own-llm", entry.GetProperty("model_name").GetString());
        Assert.Equal(JsonValueKind.Number, entry.GetProperty("updated_at").ValueKind);
        Assert.True(entry.GetProperty("updated_at").TryGetInt64(out _));
        Assert.False(entry.TryGetProperty("is_builtin", out _));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        // The same entry the type's list serves (gzipped for this client, which requests would decode).
        var listed0 = await Worker().GetAsync("/api/models/download?model_type=llm").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("gzip", listed0.Content.Headers.ContentEncoding.Single());
        using var gzip = new System.IO.Compression.GZipStream(await listed0.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        var list = (await JsonDocument.ParseAsync(gzip)).RootElement;
        var listed = Assert.Single(list.EnumerateArray(), e => e.GetProperty("model_name").GetString() == "hub-own-llm");
        Assert.True(JsonElement.DeepEquals(listed, entry));

        // Fetched again with the ETag it got: 304.
        var again = new HttpRequestMessage(HttpMethod.Get, "/api/models/download?model_name=hub-own-llm");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await Worker().SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task AnAudioModelWithSeveralVariantsAnswersItsFirst()
    {
        var (type, entry, _) = await AddModelAsync(Worker(), "whisper-tiny");

        Assert.Equal("audio", type);
        var first = UpstreamFixtures.Read("audio").EnumerateArray().First(e => e.GetProperty("model_name").GetString() == "whisper-tiny");
        Assert.True(JsonElement.DeepEquals(first, entry), entry.ToString());
        Assert.Equal("transformers", entry.GetProperty("engine").GetString());
    }

    [Fact]
    public async Task AModelTheCallerMayNotSeeIsA404ProblemLikeInTheLists()
    {
        foreach (var hidden in new[] { "hub-private-llm", "hub-advanced-llm", "hub-enterprise-llm", "hub-inactive-llm", "hub-expired-llm", "no-such-model" })
        {
            var response = await Worker().GetAsync($"/api/models/download?model_name={hidden}").ExpectAsync(HttpStatusCode.NotFound);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        // A token that may view advanced models gets them, as in the lists.
        var (_, advanced, response2) = await AddModelAsync(Worker(_app.TokenFor("vic", "advanced-viewer")), "hub-advanced-llm");
        Assert.Equal("hub-advanced-llm", advanced.GetProperty("model_name").GetString());
        Assert.Contains("private", response2.Headers.CacheControl!.ToString());
        // A type that is not the model's: it is not in that list.
        await Worker().GetAsync("/api/models/download?model_name=hub-own-llm&model_type=audio").ExpectAsync(HttpStatusCode.NotFound);
        var bad = await (await Worker().GetAsync("/api/models/download?model_name=hub-own-llm&model_type=speech").ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(bad.GetProperty("errors").TryGetProperty("model_type", out _));
    }
}
