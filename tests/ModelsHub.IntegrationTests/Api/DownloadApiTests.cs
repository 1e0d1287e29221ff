using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Downloads;
using ModelsHub.Core.Upstream;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>The contract with Xinference servers: GET /api/models/download?model_type=…</summary>
public sealed class DownloadApiTests : IAsyncLifetime
{
    private readonly LoggedHubApplication _app = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = _app.ClientFor("ada", "admin");
        var files = new JsonObject();
        foreach (var type in UpstreamFixtures.Types)
        {
            files[type] = JsonNode.Parse(UpstreamFixtures.ReadText(type));
        }
        await _admin.PostAsJsonAsync("/api/admin/upstream-import", files, HubApplication.Json).ExpectAsync(HttpStatusCode.OK);
        await Samples.RegisterDownloadAudienceModelsAsync(_admin);
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private async Task<(JsonElement List, HttpResponseMessage Response)> DownloadAsync(HttpClient client, string type)
    {
        var response = await client.GetAsync($"/api/models/download?model_type={type}").ExpectAsync(HttpStatusCode.OK);
        return (await response.JsonAsync(), response);
    }

    private static Dictionary<string, List<JsonElement>> ByName(JsonElement list) =>
        list.EnumerateArray().GroupBy(e => e.GetProperty("model_name").GetString()!).ToDictionary(g => g.Key, g => g.ToList());

    [Fact]
    public async Task EachTypeServesTheUpstreamFilePlusTheHubsOwnPublicModels()
    {
        var anonymous = _app.ClientFor(null);
        foreach (var type in UpstreamFixtures.Types)
        {
            var (list, response) = await DownloadAsync(anonymous, type);
            Assert.Equal(JsonValueKind.Array, list.ValueKind);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var served = ByName(list);
            var upstream = UpstreamCatalog.GroupByModel(UpstreamFixtures.Read(type));
            var expectedNames = upstream.Select(g => g.Name).ToHashSet();
            if (type == "llm") expectedNames.Add("hub-own-llm");
            Assert.Equal(expectedNames.Order(), served.Keys.Order());
            foreach (var (name, spec) in upstream)
            {
                Assert.True(JsonElement.DeepEquals(spec, JsonSerializer.SerializeToElement(served[name])), $"{type}/{name} differs from upstream");
            }
        }
    }

    [Fact]
    public async Task EveryServedEntryHasWhatXinferenceReads()
    {
        foreach (var type in UpstreamFixtures.Types)
        {
            var (list, _) = await DownloadAsync(_app.ClientFor("vic", "advanced-viewer"), type);
            Assert.NotEqual(0, list.GetArrayLength());
            var problems = list.EnumerateArray().SelectMany(entry => XinferenceReads.Problems(type, entry)).ToList();
            Assert.True(problems.Count == 0, $"{type}: {string.Join("; ", problems.Take(10))}");
        }
    }

    [Theory]
    [InlineData("llm", "version", "1")]
    [InlineData("llm", "model_ability", "[\"teleport\"]")]
    [InlineData("llm", "model_specs", "[{\"model_format\": \"pytorch\", \"model_size_in_billions\": 7, \"model_src\": {\"huggingface\": {\"model_id\": \"o/m\", \"quantizations\": []}}}]")]
    [InlineData("llm", "is_builtin", "true")]
    [InlineData("llm", "updated_at", "1.5")]
    [InlineData("embedding", "dimensions", "\"768\"")]
    [InlineData("rerank", "language", "null")]
    [InlineData("image", "model_src", "{\"huggingface\": {\"model_id\": \"o/m\"}}")]
    [InlineData("audio", "multilingual", "\"yes\"")]
    [InlineData("video", "model_family", "null")]
    public async Task TheTestSideCheckCatchesWhatXinferenceWouldRefuse(string type, string field, string value)
    {
        var (list, _) = await DownloadAsync(_app.ClientFor(null), type);
        var entry = JsonNode.Parse(list[0].GetRawText())!.AsObject();
        Assert.Empty(XinferenceReads.Problems(type, JsonSerializer.SerializeToElement(entry)));
        entry[field] = JsonNode.Parse(value);
        Assert.NotEmpty(XinferenceReads.Problems(type, JsonSerializer.SerializeToElement(entry)));
    }

    [Fact]
    public async Task AnEntryXinferenceCouldNotLoadIsLeftOutAndLoggedWhileTheRestIsServed()
    {
        // Straight into the store, past the API's validation, as a bad write or an older hub version could leave it.
        var spec = Samples.LlmEntry("hub-broken-llm");
        spec["model_specs"]![0]!["model_src"]!["huggingface"]!.AsObject().Remove("quantizations");
        var now = DateTimeOffset.UtcNow;
        var broken = new HubModel
        {
            Id = HubModel.IdFor("hub-broken-llm"), Name = "hub-broken-llm", Type = ModelType.Llm, Owner = "ada",
            Visibility = ModelVisibility.Public, Status = ModelStatus.Active, CreatedAt = now, UpdatedAt = now,
            Spec = JsonSerializer.SerializeToElement(new JsonArray(spec)),
        };
        var stored = await _app.Services.GetRequiredService<IModelStore>().CreateAsync(broken, CancellationToken.None);
        await _app.Services.GetRequiredService<DownloadCatalog>().OnModelChangedAsync(new ModelChange(stored.Name, null, stored), CancellationToken.None);

        var (list, _) = await DownloadAsync(_app.ClientFor(null), "llm");
        var served = ByName(list);
        Assert.DoesNotContain("hub-broken-llm", served.Keys);
        Assert.Contains("hub-own-llm", served.Keys);
        Assert.Equal(UpstreamCatalog.GroupByModel(UpstreamFixtures.Read("llm")).Count + 1, served.Count);
        Assert.Contains(_app.Logs.Messages, m => m.Contains("hub-broken-llm[0]") && m.Contains("quantizations"));
    }

    [Fact]
    public async Task CacheControlIsShortPublicForAnonymousAndPrivateForAuthorizedCallers()
    {
        foreach (var (client, scope) in new[] { (_app.ClientFor(null), "public"), (_app.ClientFor("vic", "advanced-viewer"), "private") })
        {
            var (_, response) = await DownloadAsync(client, "llm");
            var cache = response.Headers.CacheControl!;
            Assert.NotNull(cache.MaxAge);
            Assert.InRange(cache.MaxAge!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(300));
            Assert.Equal(scope == "public", cache.Public);
            Assert.Equal(scope == "private", cache.Private);
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
            Assert.Contains("Authorization", response.Headers.Vary);
        }
    }

    [Fact]
    public async Task HeadReturnsTheHeadersWithoutABody()
    {
        var client = _app.ClientFor(null);
        var (_, get) = await DownloadAsync(client, "llm");
        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/models/download?model_type=llm")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Headers.CacheControl, head.Headers.CacheControl);
        Assert.Equal("application/json", head.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept-Encoding", head.Headers.Vary);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("{0}-gzip")]
    [InlineData("{0}-br")]
    [InlineData("*")]
    [InlineData("other, {0}-br")]
    public async Task IfNoneMatchWithAnyEncodingsETagOrAStarIsNotModified(string pattern)
    {
        var client = _app.ClientFor(null);
        var (_, plain) = await DownloadAsync(client, "llm");
        var tag = plain.Headers.ETag!.Tag.Trim('"');
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/models/download?model_type=llm");
        var value = string.Join(", ", string.Format(pattern, tag).Split(", ").Select(t => t == "*" ? t : $"\"{t}\""));
        request.Headers.TryAddWithoutValidation("If-None-Match", value);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task IfNoneMatchWithAnotherETagGetsTheList()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/models/download?model_type=llm");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0123456789abcdef0123456789abcdef-gzip\""));
        await _app.ClientFor(null).SendAsync(request).ExpectAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("gzip;q=1, br;q=0.5", "gzip")]
    [InlineData("br;q=0.5, gzip;q=0.8", "gzip")]
    [InlineData("gzip, br", "br")]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData("br;q=0", "")]
    [InlineData("br;q=0, gzip;q=0", "")]
    [InlineData("*", "br")]
    [InlineData("*;q=0.5, br;q=0", "gzip")]
    [InlineData("identity, gzip;q=0.5", "")]
    [InlineData("", "")]
    public async Task AcceptEncodingHonoursQValues(string acceptEncoding, string expected)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/models/download?model_type=rerank");
        if (acceptEncoding.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }
        var response = await _app.ClientFor(null).SendAsync(request).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(expected, string.Join(",", response.Content.Headers.ContentEncoding));
    }

    [Fact]
    public async Task PrivateInactiveExpiredAndAdvancedModelsNeverReachAnonymousCallers()
    {
        var (anonymous, _) = await DownloadAsync(_app.ClientFor(null), "llm");
        var names = ByName(anonymous).Keys.ToHashSet();
        Assert.Contains("hub-own-llm", names);
        foreach (var hidden in new[] { "hub-private-llm", "hub-advanced-llm", "hub-enterprise-llm", "hub-inactive-llm", "hub-expired-llm" })
        {
            Assert.DoesNotContain(hidden, names);
        }
        var (signedIn, _) = await DownloadAsync(_app.ClientFor("ursula", "user"), "llm");
        Assert.DoesNotContain("hub-advanced-llm", ByName(signedIn).Keys);
        Assert.DoesNotContain("hub-enterprise-llm", ByName(signedIn).Keys);

        var (authorized, response) = await DownloadAsync(_app.ClientFor("vic", "advanced-viewer"), "llm");
        var authorizedNames = ByName(authorized).Keys.ToHashSet();
        Assert.Contains("hub-advanced-llm", authorizedNames);
        Assert.Contains("hub-enterprise-llm", authorizedNames);
        Assert.DoesNotContain("hub-private-llm", authorizedNames);
        Assert.DoesNotContain("hub-expired-llm", authorizedNames);
        Assert.Contains("private", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task AnExpiryPassingDropsTheModelWithoutAnyWrite()
    {
        var soon = Samples.Model("hub-expiring-llm", "public");
        soon["expiresAt"] = DateTimeOffset.UtcNow.AddSeconds(3).ToString("O");
        await _admin.PostAsJsonAsync("/api/models", soon, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var anonymous = _app.ClientFor(null);
        Assert.Contains("hub-expiring-llm", ByName((await DownloadAsync(anonymous, "llm")).List).Keys);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (ByName((await DownloadAsync(anonymous, "llm")).List).ContainsKey("hub-expiring-llm"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the expired model is still served");
            await Task.Delay(200);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("?model_type=")]
    [InlineData("?model_type=custom")]
    [InlineData("?model_type=multimodal")]
    [InlineData("?model_type=speech")]
    public async Task AnUnknownOrMissingTypeIsA400ListingTheSupportedTypes(string query)
    {
        var response = await _app.ClientFor(null).GetAsync("/api/models/download" + query).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var message = (await response.JsonAsync()).GetProperty("errors").GetProperty("model_type")[0].GetString()!;
        foreach (var type in UpstreamFixtures.Types)
        {
            Assert.Contains(type, message);
        }
    }

    [Fact]
    public async Task UppercaseTypesAreAccepted()
    {
        var (upper, _) = await DownloadAsync(_app.ClientFor(null), "LLM");
        var (lower, _) = await DownloadAsync(_app.ClientFor(null), "llm");
        Assert.Equal(upper.GetArrayLength(), lower.GetArrayLength());
    }

    [Fact]
    public async Task ConditionalRequestsAndCompressionWork()
    {
        var client = _app.ClientFor(null);
        var plain = await client.GetAsync("/api/models/download?model_type=llm").ExpectAsync(HttpStatusCode.OK);
        var identity = await plain.Content.ReadAsByteArrayAsync();
        var etag = plain.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Contains("max-age=", plain.Headers.CacheControl!.ToString());
        Assert.Contains("public", plain.Headers.CacheControl!.ToString());

        var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/models/download?model_type=llm");
        conditional.Headers.IfNoneMatch.Add(etag);
        var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        foreach (var (encoding, decode) in new (string, Func<Stream, Stream>)[]
        {
            ("gzip", s => new GZipStream(s, CompressionMode.Decompress)),
            ("br", s => new BrotliStream(s, CompressionMode.Decompress)),
        })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/models/download?model_type=llm");
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
            var response = await client.SendAsync(request).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(encoding, Assert.Single(response.Content.Headers.ContentEncoding));
            var compressed = await response.Content.ReadAsByteArrayAsync();
            Assert.True(compressed.Length < identity.Length / 3, $"{encoding} is {compressed.Length} of {identity.Length} bytes");
            using var decoded = new MemoryStream();
            await decode(new MemoryStream(compressed)).CopyToAsync(decoded);
            Assert.Equal(identity, decoded.ToArray());
            Assert.NotEqual(etag, response.Headers.ETag);
        }
    }

    [Fact]
    public async Task ChangingOneModelChangesOnlyItsTypesETag()
    {
        var anonymous = _app.ClientFor(null);
        var before = new Dictionary<string, string>();
        foreach (var type in UpstreamFixtures.Types)
        {
            before[type] = (await DownloadAsync(anonymous, type)).Response.Headers.ETag!.Tag;
        }
        var current = await _admin.GetAsync("/api/models/hub-own-llm").ExpectAsync(HttpStatusCode.OK);
        var entry = Samples.LlmEntry("hub-own-llm");
        entry["context_length"] = 65536;
        await _admin.SendJsonAsync(HttpMethod.Patch, "/api/models/hub-own-llm", new { spec = entry }, current.ETagOf()).ExpectAsync(HttpStatusCode.OK);

        foreach (var type in UpstreamFixtures.Types)
        {
            var (list, response) = await DownloadAsync(anonymous, type);
            if (type == "llm")
            {
                Assert.NotEqual(before[type], response.Headers.ETag!.Tag);
                var served = Assert.Single(ByName(list)["hub-own-llm"]);
                Assert.Equal(65536, served.GetProperty("context_length").GetInt32());
            }
            else
            {
                Assert.Equal(before[type], response.Headers.ETag!.Tag);
            }
        }
    }
}
