using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Versions;
using ModelsHub.IntegrationTests.Infrastructure;
using Parquet;
using Parquet.Schema;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>
/// Datasets on the Azure profile: the file goes straight to Blob Storage (Azurite) under
/// <c>datasets/…</c> with the same SAS protocol as model files, the validation workflow reads it back
/// from Blob Storage (seeking, for Parquet), and a read link is a read SAS.
/// </summary>
[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureDatasetTests(AzureEmulators emulators) : IDisposable
{
    private const int Chunk = 256 * 1024;

    private readonly AzureHubApplication _app = (AzureHubApplication)emulators.NewHub().With("Uploads:ChunkSizeBytes", Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private readonly HttpClient _storage = new();

    public void Dispose()
    {
        _storage.Dispose();
        _app.Dispose();
    }

    /// <summary>Declares the version, sends the chunks to the SAS URL, commits there, and completes through the hub.</summary>
    private async Task<JsonElement> UploadAsync(HttpClient client, string dataset, string fileName, byte[] content)
    {
        var (_, upload) = await Uploads.CreateVersionAtAsync(client, $"/api/datasets/{dataset}", null, fileName, content);
        var target = upload.GetProperty("target").GetProperty("url").GetString()!;
        Assert.StartsWith($"http://127.0.0.1:{emulators.Emulators.BlobPort}/", target);
        var chunks = upload.GetProperty("chunkCount").GetInt32();
        for (var i = 0; i < chunks; i++)
        {
            var length = Math.Min(Chunk, content.Length - i * Chunk);
            using var body = new ByteArrayContent(content, i * Chunk, length);
            body.Headers.ContentMD5 = MD5.HashData(content.AsSpan(i * Chunk, length));
            await Send(HttpMethod.Put, $"{target}&comp=block&blockid={Uploads.BlockId(i)}", body).ExpectAsync(HttpStatusCode.Created);
        }
        var list = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        for (var i = 0; i < chunks; i++) list.Append("<Latest>").Append(Uploads.BlockId(i)).Append("</Latest>");
        await Send(HttpMethod.Put, $"{target}&comp=blocklist", new StringContent(list.Append("</BlockList>").ToString(), Encoding.UTF8, "application/xml"))
            .ExpectAsync(HttpStatusCode.Created);
        var completed = await (await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        return await DatasetTesting.WaitForValidationAsync(client, dataset, completed.GetProperty("version").GetProperty("label").GetString()!);
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string url, HttpContent content)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Add("x-ms-version", "2023-11-03");
        return _storage.SendAsync(request);
    }

    [Fact]
    public async Task AChatFileGoesThroughBlobStorageAndIsValidatedFromThere()
    {
        var client = _app.ClientFor("tess", "trainer");
        await DatasetTesting.CreateAsync(client, "azure-chats");
        var content = DatasetTesting.ChatFile(9000);
        Assert.True(content.Length > 2 * Chunk);

        var version = await UploadAsync(client, "azure-chats", "train.jsonl", content);
        Assert.Equal("ready", version.GetProperty("status").GetString());
        Assert.Equal(9000, version.GetProperty("validation").GetProperty("recordCount").GetInt64());
        var listed = await Uploads.GetAsync(client, "/api/datasets?status=ready");
        Assert.Equal(["azure-chats"], listed.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));

        // The trainer's read link is a read SAS for exactly that blob.
        var link = await _app.Services.GetRequiredService<VersionCatalog>().GetReadLinkAsync(new Caller("tess", Roles.Bundles[Roles.Trainer]),
            new AssetVersionRef(AssetRef.Dataset("azure-chats"), "v1"), null, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.True(link.Url.IsAbsoluteUri);
        Assert.Contains("/datasets/azure-chats/v1/train.jsonl", link.Url.AbsolutePath);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await _storage.GetByteArrayAsync(link.Url)));

        var broken = await UploadAsync(client, "azure-chats", "broken.jsonl", Encoding.UTF8.GetBytes(DatasetTesting.Chat("a", "b") + "\nnot json\n"));
        Assert.Equal("invalid", broken.GetProperty("status").GetString());
        Assert.Equal(2, broken.GetProperty("validation").GetProperty("errors")[0].GetProperty("line").GetInt64());
    }

    [Fact]
    public async Task AParquetFileIsReadBackWithSeeksFromBlobStorage()
    {
        var client = _app.ClientFor("tess", "trainer");
        await DatasetTesting.CreateAsync(client, "azure-table", "parquet");
        var text = new DataField<string>("text");
        using var file = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(text), file))
        {
            for (var group = 0; group < 3; group++)
            {
                using var rows = writer.CreateRowGroup();
                await rows.WriteAsync(text, Enumerable.Range(0, 20_000).Select(i => $"row {group}.{i} with some text to make it larger").ToArray());
            }
        }
        var version = await UploadAsync(client, "azure-table", "rows.parquet", file.ToArray());
        Assert.Equal("ready", version.GetProperty("status").GetString());
        Assert.Equal(60_000, version.GetProperty("validation").GetProperty("recordCount").GetInt64());
    }
}
