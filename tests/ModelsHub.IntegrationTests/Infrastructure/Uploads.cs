using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>A client of the upload protocol for tests: declare, send chunks to the target with Content-MD5, commit, complete.</summary>
public static class Uploads
{
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D6")));

    public static object Declaration(string fileName, byte[] content, string? sha256 = null) =>
        new { fileName, size = content.Length, sha256 = sha256 ?? Sha256(content) };

    /// <summary>Registers a private custom model owned by the client's user.</summary>
    public static async Task CreateModelAsync(HttpClient client, string name, string visibility = "private", string tier = "standard")
    {
        var body = Samples.Model(name, visibility, tier);
        await client.PostAsJsonAsync("/api/models", body, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
    }

    /// <summary>Adds a version of a model with its first file declared; returns the version and its open upload.</summary>
    public static Task<(JsonElement Version, JsonElement Upload)> CreateVersionAsync(HttpClient client, string model, string? label, string fileName, byte[] content, string? sha256 = null) =>
        CreateVersionAtAsync(client, $"/api/models/{model}", label, fileName, content, sha256);

    /// <summary>Adds a version of the asset at <paramref name="assetUrl"/> (<c>/api/models/m</c>, <c>/api/datasets/d</c>) with its first file declared.</summary>
    public static async Task<(JsonElement Version, JsonElement Upload)> CreateVersionAtAsync(HttpClient client, string assetUrl, string? label, string fileName, byte[] content, string? sha256 = null)
    {
        var response = await client.PostAsJsonAsync($"{assetUrl}/versions", new { label, file = Declaration(fileName, content, sha256) }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Created);
        var version = await response.JsonAsync();
        return (version, version.GetProperty("upload"));
    }

    public static async Task<HttpResponseMessage> PutChunkAsync(HttpClient client, JsonElement upload, int index, byte[] content, byte[]? md5Override = null)
    {
        var chunkSize = upload.GetProperty("chunkSize").GetInt64();
        var offset = (int)(index * chunkSize);
        var length = (int)Math.Min(chunkSize, content.Length - offset);
        var body = new ByteArrayContent(content, offset, length);
        body.Headers.ContentMD5 = md5Override ?? MD5.HashData(content.AsSpan(offset, length));
        return await client.PutAsync($"{upload.GetProperty("target").GetProperty("url").GetString()}&comp=block&blockid={BlockId(index)}", body);
    }

    public static async Task PutChunksAsync(HttpClient client, JsonElement upload, byte[] content, IEnumerable<int>? indexes = null)
    {
        foreach (var i in indexes ?? Enumerable.Range(0, upload.GetProperty("chunkCount").GetInt32()))
        {
            await PutChunkAsync(client, upload, i, content).ExpectAsync(HttpStatusCode.Created);
        }
    }

    public static Task<HttpResponseMessage> PutBlockListAsync(HttpClient client, JsonElement upload, int? count = null)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        for (var i = 0; i < (count ?? upload.GetProperty("chunkCount").GetInt32()); i++)
        {
            xml.Append("<Latest>").Append(BlockId(i)).Append("</Latest>");
        }
        xml.Append("</BlockList>");
        return client.PutAsync($"{upload.GetProperty("target").GetProperty("url").GetString()}&comp=blocklist", new StringContent(xml.ToString(), Encoding.UTF8, "application/xml"));
    }

    public static Task<HttpResponseMessage> CompleteAsync(HttpClient client, JsonElement upload) =>
        client.PostAsync(upload.GetProperty("url").GetString() + "/complete", null);

    /// <summary>Declares, sends every chunk, completes: the model version's file is verified.</summary>
    public static Task<JsonElement> UploadVersionAsync(HttpClient client, string model, string? label, string fileName, byte[] content) =>
        UploadVersionAtAsync(client, $"/api/models/{model}", label, fileName, content);

    /// <summary>Declares, sends every chunk, completes, for a version of the asset at <paramref name="assetUrl"/>.</summary>
    public static async Task<JsonElement> UploadVersionAtAsync(HttpClient client, string assetUrl, string? label, string fileName, byte[] content)
    {
        var (_, upload) = await CreateVersionAtAsync(client, assetUrl, label, fileName, content);
        await PutChunksAsync(client, upload, content);
        return await (await CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string url) =>
        await (await client.GetAsync(url).ExpectAsync(HttpStatusCode.OK)).JsonAsync();

    /// <summary>Polls the upload until <paramref name="done"/> holds (an awaited condition, with a deadline).</summary>
    public static async Task<JsonElement> WaitForAsync(HttpClient client, string uploadUrl, Func<JsonElement, bool> done, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var state = await GetAsync(client, uploadUrl);
            if (done(state))
            {
                return state;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"The upload never reached the expected state: {state}");
            }
            await Task.Delay(50);
        }
    }
}
