using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Specs;
using ModelsHub.Core.Upstream;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>The contract with Xinference servers: GET /api/models/download?model_type=…</summary>
public sealed class DownloadApiTests : IAsyncLifetime
{
    private readonly HubApplication _app = new();
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
    public async Task EveryServedEntryLoadsInXinference()
    {
        foreach (var type in UpstreamFixtures.Types)
        {
            var (list, _) = await DownloadAsync(_app.ClientFor("vic", "advanced-viewer"), type);
            EnumNames<ModelType>.TryParse(type, out var modelType);
            foreach (var entry in list.EnumerateArray())
            {
                var name = entry.GetProperty("model_name").GetString()!;
                Assert.Equal(JsonValueKind.Number, entry.GetProperty("updated_at").ValueKind);
                Assert.True(entry.GetProperty("updated_at").TryGetInt64(out _), $"{name}: updated_at is not an integer");
                Assert.False(entry.TryGetProperty("is_builtin", out _), $"{name} carries is_builtin");
                foreach (var internalField in new[] { "etag", "owner", "visibility", "tier" })
                {
                    Assert.False(entry.TryGetProperty(internalField, out _), $"{name} carries {internalField}");
                }
                var errors = new ValidationErrors();
                XinferenceSpecValidator.Validate(modelType, name, JsonSerializer.SerializeToElement(new[] { entry }), errors);
                Assert.True(errors.IsEmpty, $"{type}/{name}: {string.Join("; ", errors.ToDictionary().Keys)}");
                Assert.True(XinferenceLoader.FlattenedCount(modelType, entry) >= 1, $"{type}/{name} expands to no spec");
            }
        }
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
