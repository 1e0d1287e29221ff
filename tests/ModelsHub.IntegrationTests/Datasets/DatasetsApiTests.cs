using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Core.Assets;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.IntegrationTests.Infrastructure;
using Parquet;
using Parquet.Schema;

namespace ModelsHub.IntegrationTests.Datasets;

/// <summary>Datasets end to end on the embedded profile: created, uploaded through the models' upload protocol, validated on the workflow runner, listed.</summary>
public sealed class DatasetsApiTests : IDisposable
{
    private readonly HubApplication _app = new HubApplication().With("Uploads:ChunkSizeBytes", "262144");

    public void Dispose() => _app.Dispose();

    private HttpClient Trainer => _app.ClientFor("tess", "trainer");

    private static string[] Lines(JsonElement errors) =>
        errors.EnumerateArray().Select(e => $"{(e.GetProperty("line").ValueKind == JsonValueKind.Null ? "-" : e.GetProperty("line").GetInt64().ToString())}: {e.GetProperty("message").GetString()}").ToArray();

    [Fact]
    public async Task AChatDatasetBecomesReadyWithItsRecordCountAndIsListedAsReady()
    {
        var client = Trainer;
        var created = await DatasetTesting.CreateAsync(client, "support-chats");
        Assert.Equal(("support-chats", "jsonl-chat", "private", "empty", "tess"),
            (created.GetProperty("name").GetString(), created.GetProperty("format").GetString(), created.GetProperty("visibility").GetString(),
             created.GetProperty("status").GetString(), created.GetProperty("owner").GetString()));

        // Larger than one chunk, so the upload really is chunked.
        var content = DatasetTesting.ChatFile(8000);
        Assert.True(content.Length > 262144 * 2, $"{content.Length} bytes");
        var (declared, upload) = await Uploads.CreateVersionAtAsync(client, "/api/datasets/support-chats", null, "train.jsonl", content);
        Assert.Equal(("support-chats", "v1", "uploading"), (declared.GetProperty("dataset").GetString(), declared.GetProperty("label").GetString(), declared.GetProperty("status").GetString()));
        Assert.False(declared.TryGetProperty("model", out _));
        Assert.Equal("support-chats", upload.GetProperty("dataset").GetString());
        Assert.Contains("/api/datasets/support-chats/versions/v1/uploads/", upload.GetProperty("url").GetString());
        await Uploads.PutChunksAsync(client, upload, content);
        var completion = await (await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(Uploads.Sha256(content), completion.GetProperty("upload").GetProperty("computedSha256").GetString());
        Assert.Contains(completion.GetProperty("version").GetProperty("status").GetString(), new[] { "validating", "ready" });

        var version = await DatasetTesting.WaitForValidationAsync(client, "support-chats", "v1");
        Assert.Equal("ready", version.GetProperty("status").GetString());
        var validation = version.GetProperty("validation");
        Assert.Equal(8000, validation.GetProperty("recordCount").GetInt64());
        Assert.Equal(content.Length, validation.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(8000, validation.GetProperty("roles").GetProperty("user").GetInt64());
        Assert.Equal(8000, validation.GetProperty("roles").GetProperty("assistant").GetInt64());
        Assert.True(validation.GetProperty("tokenEstimate").GetInt64() > 8000 * 9);
        Assert.Equal("o200k_base", validation.GetProperty("tokens").GetProperty("encoding").GetString());
        Assert.Empty(validation.GetProperty("errors").EnumerateArray());
        Assert.True(version.GetProperty("isDefault").GetBoolean());

        var dataset = await DatasetTesting.WaitForDatasetAsync(client, "support-chats", d => d.GetProperty("status").GetString() == "ready", "ready");
        Assert.Equal(("ready", "v1", 8000L, (long)content.Length, 1),
            (dataset.GetProperty("status").GetString(), dataset.GetProperty("defaultVersion").GetString(), dataset.GetProperty("recordCount").GetInt64(),
             dataset.GetProperty("sizeBytes").GetInt64(), dataset.GetProperty("versionCount").GetInt32()));

        var ready = await Uploads.GetAsync(client, "/api/datasets?status=ready");
        Assert.Equal(["support-chats"], ready.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));

        // Downloads are the models' downloads: Range and the digest.
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/datasets/support-chats/versions/v1/files/train.jsonl");
        request.Headers.Range = new RangeHeaderValue(10, 19);
        var partial = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(content.AsSpan(10, 10).ToArray(), await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(content))}:", partial.Headers.GetValues("Repr-Digest").Single());
        Assert.True(File.Exists(Path.Combine(_app.DataDirectory, "blobs", "datasets", "support-chats", "v1", "train.jsonl")));
    }

    [Fact]
    public async Task ABrokenFileEndsInvalidWithItsFirstErrorsAndTheirLines()
    {
        var client = Trainer;
        await DatasetTesting.CreateAsync(client, "broken-chats");
        var text = string.Join("\n",
            DatasetTesting.Chat("a", "b"),
            "{\"messages\": [{\"role\": \"user\", \"content\": \"no reply\"}]}",
            "not json at all",
            DatasetTesting.Chat("c", "d"),
            "{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}") + "\n";
        var version = await DatasetTesting.UploadAndValidateAsync(client, "broken-chats", null, "train.jsonl", Encoding.UTF8.GetBytes(text));

        Assert.Equal("invalid", version.GetProperty("status").GetString());
        var validation = version.GetProperty("validation");
        Assert.Equal(3, validation.GetProperty("errorCount").GetInt64());
        var errors = Lines(validation.GetProperty("errors"));
        Assert.Equal(["2", "3", "5"], errors.Select(e => e.Split(':')[0]));
        Assert.Contains("no assistant message", errors[0]);
        Assert.Contains("'wizard' is not one of", errors[2]);
        Assert.StartsWith("3 errors; the first: line 2:", version.GetProperty("failureReason").GetString());
        Assert.Equal(5, validation.GetProperty("recordCount").GetInt64());

        var dataset = await DatasetTesting.WaitForDatasetAsync(client, "broken-chats", d => d.GetProperty("status").GetString() == "invalid", "invalid");
        Assert.Equal(("invalid", JsonValueKind.Null), (dataset.GetProperty("status").GetString(), dataset.GetProperty("defaultVersion").ValueKind));
        Assert.Empty((await Uploads.GetAsync(client, "/api/datasets?status=ready")).GetProperty("items").EnumerateArray());
        Assert.Single((await Uploads.GetAsync(client, "/api/datasets?status=invalid")).GetProperty("items").EnumerateArray());
    }

    public static TheoryData<string, string, string, string[]> BadFiles => new()
    {
        { "jsonl-chat", "train.jsonl", "question,answer\nhi,hello\n", ["1: Is not valid JSON", "2: Is not valid JSON"] },
        { "jsonl-chat", "train.jsonl", "", ["-: Is empty."] },
        { "jsonl-chat", "train.jsonl", DatasetTesting.Chat("a", "b") + "\n{\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 1 << 20) + "\"}]}\n" + DatasetTesting.Chat("c", "d"), ["2: Is 1,048,"] },
        { "jsonl-completion", "train.jsonl", "{\"prompt\":\"2+2\",\"completion\":\"4\"}\n{\"instruction\":\"x\",\"output\":\"y\"}\n", ["2: Uses the instruction/output style"] },
        { "csv", "train.csv", "q,a\n1,2\n3\n4,5,6\n", ["3: Has 1 fields but the header has 2.", "4: Has 3 fields but the header has 2."] },
        { "csv", "train.csv", "q,a\n", ["-: Has a header row but no records."] },
        { "archive", "images.zip", "PK but not really a zip", ["-: Is not a readable zip archive"] },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task BadFilesEndInvalidWithReasonsAndLinesAndNothingElseIsDisturbed(string format, string fileName, string text, string[] expected)
    {
        var client = Trainer;
        await DatasetTesting.CreateAsync(client, "good", format);
        var good = format switch
        {
            "csv" => "q,a\n1,2\n",
            "jsonl-completion" => "{\"prompt\":\"p\",\"completion\":\"c\"}\n",
            "archive" => null,
            _ => DatasetTesting.Chat("a", "b") + "\n",
        };
        if (good is not null)
        {
            Assert.Equal("ready", (await DatasetTesting.UploadAndValidateAsync(client, "good", "v1", fileName, Encoding.UTF8.GetBytes(good))).GetProperty("status").GetString());
        }
        JsonElement? before = good is null ? null : await Uploads.GetAsync(client, "/api/datasets/good/versions/v1");

        var version = await DatasetTesting.UploadAndValidateAsync(client, "good", "v2", fileName, Encoding.UTF8.GetBytes(text));

        Assert.Equal("invalid", version.GetProperty("status").GetString());
        var errors = Lines(version.GetProperty("validation").GetProperty("errors"));
        Assert.Equal(expected.Length, errors.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.StartsWith(expected[i], errors[i]);
        }
        if (before is { } kept)
        {
            // The ready version stays as it was and stays the default.
            var after = await Uploads.GetAsync(client, "/api/datasets/good/versions/v1");
            Assert.Equal(kept.GetProperty("etag").GetString(), after.GetProperty("etag").GetString());
            Assert.Equal(("ready", "v1"), ((await Uploads.GetAsync(client, "/api/datasets/good")).GetProperty("status").GetString(),
                (await Uploads.GetAsync(client, "/api/datasets/good")).GetProperty("defaultVersion").GetString()));
        }
    }

    [Fact]
    public async Task AParquetFileWithoutRowsIsInvalidAndOneWithRowsListsItsColumns()
    {
        var client = Trainer;
        await DatasetTesting.CreateAsync(client, "tables", "parquet");
        var text = new DataField<string>("text");
        var label = new DataField<int>("label");
        async Task<byte[]> ParquetAsync(int rows)
        {
            using var file = new MemoryStream();
            await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(text, label), file))
            {
                if (rows > 0)
                {
                    using var group = writer.CreateRowGroup();
                    await group.WriteAsync(text, Enumerable.Range(0, rows).Select(i => $"row {i}").ToArray());
                    await group.WriteAsync<int>(label, Enumerable.Range(0, rows).ToArray());
                }
            }
            return file.ToArray();
        }
        var empty = await DatasetTesting.UploadAndValidateAsync(client, "tables", "v1", "empty.parquet", await ParquetAsync(0));
        Assert.Equal("invalid", empty.GetProperty("status").GetString());
        Assert.Equal(["-: Has no rows."], Lines(empty.GetProperty("validation").GetProperty("errors")));

        var full = await DatasetTesting.UploadAndValidateAsync(client, "tables", "v2", "rows.parquet", await ParquetAsync(7));
        Assert.Equal("ready", full.GetProperty("status").GetString());
        Assert.Equal(7, full.GetProperty("validation").GetProperty("recordCount").GetInt64());
        Assert.Equal(["text", "label"], full.GetProperty("validation").GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task AVersionKeepsItsOneFileAndTheLastVersionCannotBeDeleted()
    {
        var client = Trainer;
        await DatasetTesting.CreateAsync(client, "kept");
        await DatasetTesting.UploadAndValidateAsync(client, "kept", "v1", "train.jsonl", DatasetTesting.ChatFile(3));

        var second = await client.PostAsJsonAsync("/api/datasets/kept/versions/v1/uploads", Uploads.Declaration("more.jsonl", DatasetTesting.ChatFile(2)), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("add a new version", (await second.JsonAsync()).GetProperty("detail").GetString());
        var same = await client.PostAsJsonAsync("/api/datasets/kept/versions/v1/uploads", Uploads.Declaration("train.jsonl", DatasetTesting.ChatFile(5)), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("fileName", (await same.JsonAsync()).GetProperty("errors").EnumerateObject().Single().Name);

        var etag = (await client.GetAsync("/api/datasets/kept/versions/v1").ExpectAsync(HttpStatusCode.OK)).ETagOf();
        var last = await client.DeleteAsync("/api/datasets/kept/versions/v1", etag).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("last version of dataset 'kept'", (await last.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AFileOfAnotherFormatIsRefusedBeforeAnyVersionExists()
    {
        var client = Trainer;
        await DatasetTesting.CreateAsync(client, "typed");
        var refused = await client.PostAsJsonAsync("/api/datasets/typed/versions", new { file = Uploads.Declaration("train.csv", "a,b\n"u8.ToArray()) }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.UnsupportedMediaType);
        var problem = await refused.JsonAsync();
        Assert.Equal([".jsonl"], problem.GetProperty("accepted").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty((await Uploads.GetAsync(client, "/api/datasets/typed/versions")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task DeletingADatasetTakesItsVersionsUploadsAndFiles()
    {
        var client = Trainer;
        await DatasetTesting.CreateAsync(client, "doomed-data");
        await DatasetTesting.UploadAndValidateAsync(client, "doomed-data", "v1", "train.jsonl", DatasetTesting.ChatFile(3));
        var content = DatasetTesting.ChatFile(3000);
        var (_, open) = await Uploads.CreateVersionAtAsync(client, "/api/datasets/doomed-data", "v2", "more.jsonl", content);
        await Uploads.PutChunksAsync(client, open, content, [0]);

        var etag = (await client.GetAsync("/api/datasets/doomed-data").ExpectAsync(HttpStatusCode.OK)).ETagOf();
        await client.DeleteAsync("/api/datasets/doomed-data", null).ExpectAsync(HttpStatusCode.PreconditionRequired);
        await client.DeleteAsync("/api/datasets/doomed-data", "\"stale\"").ExpectAsync(HttpStatusCode.PreconditionFailed);
        await client.DeleteAsync("/api/datasets/doomed-data", etag).ExpectAsync(HttpStatusCode.NoContent);

        await client.GetAsync("/api/datasets/doomed-data").ExpectAsync(HttpStatusCode.NotFound);
        Assert.False(Directory.Exists(Path.Combine(_app.DataDirectory, "blobs", "datasets", "doomed-data")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_app.DataDirectory, "blobs", "uploads")));
        Assert.Empty(await _app.Services.GetRequiredService<IVersionStore>().ListAsync(AssetRef.Dataset("doomed-data"), CancellationToken.None));

        // The name is free again, and a new dataset of that name starts empty.
        var again = await DatasetTesting.CreateAsync(client, "doomed-data");
        Assert.Equal(0, again.GetProperty("versionCount").GetInt32());
    }

    [Fact]
    public async Task AModelAndADatasetMayShareANameWithoutSharingVersions()
    {
        var client = Trainer;
        await Uploads.CreateModelAsync(client, "shared-name");
        await DatasetTesting.CreateAsync(client, "shared-name");
        await Uploads.UploadVersionAsync(client, "shared-name", "v1", "model.bin", Uploads.RandomBytes(1000, 3));
        await DatasetTesting.UploadAndValidateAsync(client, "shared-name", "v1", "train.jsonl", DatasetTesting.ChatFile(2));

        var modelFiles = (await Uploads.GetAsync(client, "/api/models/shared-name/versions/v1")).GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString());
        var datasetFiles = (await Uploads.GetAsync(client, "/api/datasets/shared-name/versions/v1")).GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString());
        Assert.Equal(["model.bin"], modelFiles);
        Assert.Equal(["train.jsonl"], datasetFiles);
        Assert.True(File.Exists(Path.Combine(_app.DataDirectory, "blobs", "models", "shared-name", "v1", "model.bin")));
        Assert.True(File.Exists(Path.Combine(_app.DataDirectory, "blobs", "datasets", "shared-name", "v1", "train.jsonl")));
    }

    [Fact]
    public async Task AReadLinkForAVersionsFileIsOneCallForEitherKind()
    {
        var client = Trainer;
        await Uploads.CreateModelAsync(client, "linked-model");
        await DatasetTesting.CreateAsync(client, "linked-data");
        var weights = Uploads.RandomBytes(5000, 9);
        var data = DatasetTesting.ChatFile(20);
        await Uploads.UploadVersionAsync(client, "linked-model", "v1", "model.bin", weights);
        await DatasetTesting.UploadAndValidateAsync(client, "linked-data", "v1", "train.jsonl", data);

        var catalog = _app.Services.GetRequiredService<VersionCatalog>();
        var tess = new Caller("tess", Roles.Bundles[Roles.Trainer]);
        var anonymous = _app.CreateClient();
        foreach (var (version, bytes) in new[] { (new AssetVersionRef(AssetRef.Model("linked-model"), "v1"), weights), (new AssetVersionRef(AssetRef.Dataset("linked-data"), "v1"), data) })
        {
            var link = await catalog.GetReadLinkAsync(tess, version, null, TimeSpan.FromMinutes(5), CancellationToken.None);
            Assert.False(link.Url.IsAbsoluteUri);
            Assert.Equal(Uploads.Sha256(bytes), link.File.Sha256);
            // No credential but the link itself.
            Assert.Equal(bytes, await anonymous.GetByteArrayAsync(link.Url));
            var tampered = link.Url.OriginalString.Replace("sp=r&", "sp=rw&", StringComparison.Ordinal);
            await anonymous.GetAsync(tampered).ExpectAsync(HttpStatusCode.Forbidden);
        }
        var stranger = new Caller("ursula", Roles.Bundles[Roles.User]);
        await Assert.ThrowsAsync<Core.Common.NotFoundException>(() =>
            catalog.GetReadLinkAsync(stranger, new AssetVersionRef(AssetRef.Dataset("linked-data"), "v1"), null, TimeSpan.FromMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task AVersionACrashLeftValidatingIsValidatedAtTheNextSweep()
    {
        var client = Trainer;
        await DatasetTesting.CreateAsync(client, "crashed");
        // As a crash right after the file was recorded would leave it: validating, its file in place, no validation started.
        var content = DatasetTesting.ChatFile(7);
        var version = AssetVersion.New(AssetRef.Dataset("crashed"), "v1", "tess", DateTimeOffset.UtcNow.AddHours(-2));
        version.Status = VersionStatus.Validating;
        version.Files.Add(new VersionFile("train.jsonl", content.Length, Uploads.Sha256(content), "application/jsonl", DateTimeOffset.UtcNow.AddHours(-2)));
        await _app.Services.GetRequiredService<IVersionStore>().CreateAsync(version, CancellationToken.None);
        var blob = Path.Combine(_app.DataDirectory, "blobs", "datasets", "crashed", "v1", "train.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        await File.WriteAllBytesAsync(blob, content);
        Assert.Equal("validating", (await Uploads.GetAsync(client, "/api/datasets/crashed/versions/v1")).GetProperty("status").GetString());

        await _app.Services.GetRequiredService<UploadSweeper>().SweepAsync(CancellationToken.None);

        var validated = await DatasetTesting.WaitForValidationAsync(client, "crashed", "v1");
        Assert.Equal(("ready", 7L), (validated.GetProperty("status").GetString(), validated.GetProperty("validation").GetProperty("recordCount").GetInt64()));
        await DatasetTesting.WaitForDatasetAsync(client, "crashed", d => d.GetProperty("status").GetString() == "ready", "ready");
        Assert.True(File.Exists(blob));
    }

    [Fact]
    public async Task ListsFilterByStatusFormatOwnerMineAndWordsAndPage()
    {
        var tess = Trainer;
        var olga = _app.ClientFor("olga", "trainer");
        await DatasetTesting.CreateAsync(tess, "alpha-chat", "jsonl-chat", "public");
        await DatasetTesting.CreateAsync(tess, "beta-table", "csv", "public");
        await DatasetTesting.CreateAsync(olga, "gamma-chat", "jsonl-chat", "public");
        await DatasetTesting.CreateAsync(olga, "delta-secret", "jsonl-chat");
        await tess.SendJsonAsync(HttpMethod.Patch, "/api/datasets/alpha-chat", new { description = "Customer support conversations", tags = new[] { "support", "en" } },
            (await tess.GetAsync("/api/datasets/alpha-chat")).ETagOf()).ExpectAsync(HttpStatusCode.OK);
        await DatasetTesting.UploadAndValidateAsync(tess, "alpha-chat", "v1", "train.jsonl", DatasetTesting.ChatFile(2));
        await DatasetTesting.WaitForDatasetAsync(tess, "alpha-chat", d => d.GetProperty("status").GetString() == "ready", "ready");

        async Task<string[]> Names(HttpClient c, string query) =>
            (await Uploads.GetAsync(c, "/api/datasets" + query)).GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToArray();

        Assert.Equal(["alpha-chat", "beta-table", "gamma-chat"], await Names(tess, ""));
        Assert.Equal(["alpha-chat", "beta-table", "delta-secret", "gamma-chat"], await Names(olga, "?sort=name"));
        Assert.Equal(["alpha-chat"], await Names(olga, "?status=ready"));
        Assert.Equal(["beta-table"], await Names(olga, "?format=csv"));
        Assert.Equal(["delta-secret", "gamma-chat"], await Names(olga, "?mine=true"));
        Assert.Equal(["gamma-chat"], await Names(tess, "?owner=olga"));
        Assert.Equal(["alpha-chat"], await Names(tess, "?q=SUPPORT%20conversations"));
        Assert.Equal(["alpha-chat"], await Names(tess, "?tag=support"));
        Assert.Equal(["alpha-chat", "gamma-chat"], await Names(_app.CreateClient(), "?format=jsonl-chat"));
        Assert.Equal(["gamma-chat", "beta-table", "alpha-chat"], await Names(tess, "?order=desc"));

        var first = await Uploads.GetAsync(olga, "/api/datasets?pageSize=3");
        Assert.Equal(3, first.GetProperty("items").GetArrayLength());
        var token = first.GetProperty("continuationToken").GetString()!;
        var second = await Uploads.GetAsync(olga, $"/api/datasets?pageSize=3&continuationToken={Uri.EscapeDataString(token)}");
        Assert.Equal(["gamma-chat"], second.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("continuationToken").ValueKind);

    }

    [Fact]
    public async Task ChangesNeedTheCurrentETagAndKeepNameAndFormat()
    {
        var client = Trainer;
        var created = await client.PostAsJsonAsync("/api/datasets", new { name = "etags", format = "csv" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var etag = created.ETagOf();
        Assert.Equal("/api/datasets/etags", created.Headers.Location!.OriginalString);

        var notModified = new HttpRequestMessage(HttpMethod.Get, "/api/datasets/etags");
        notModified.Headers.TryAddWithoutValidation("If-None-Match", etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(notModified)).StatusCode);

        await client.SendJsonAsync(HttpMethod.Patch, "/api/datasets/etags", new { description = "x" }).ExpectAsync(HttpStatusCode.PreconditionRequired);
        var changed = await client.SendJsonAsync(HttpMethod.Patch, "/api/datasets/etags", new { description = "Tables", visibility = "public" }, etag).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(etag, changed.ETagOf());
        await client.SendJsonAsync(HttpMethod.Patch, "/api/datasets/etags", new { description = "stale" }, etag).ExpectAsync(HttpStatusCode.PreconditionFailed);

        var format = await client.SendJsonAsync(HttpMethod.Patch, "/api/datasets/etags", new { format = "parquet" }, changed.ETagOf()).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["format"], (await format.JsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        var name = await client.SendJsonAsync(HttpMethod.Patch, "/api/datasets/etags", new { name = "other" }, changed.ETagOf()).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["name"], (await name.JsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }
}
