using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;

namespace ModelsHub.UnitTests;

public sealed class UploadRulesTests
{
    private static readonly UploadOptions Options = new();

    private static UploadRequest Request(string? name = "model.bin", long size = 10, string? sha = null, string? type = null) => new(name, size, sha, type);

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("..\\windows\\system32")]
    [InlineData("dir/model.bin")]
    [InlineData("model..bin")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData(".env.txt")]
    [InlineData(".zip")]
    [InlineData("model.bin.")]
    [InlineData(" model.bin")]
    [InlineData("mo\u0000del.bin")]
    [InlineData("mo\ndel.bin")]
    [InlineData("mo\u202Edel.bin")]
    [InlineData("con.txt")]
    [InlineData("LPT1.bin")]
    [InlineData("a:b.bin")]
    [InlineData("what?.bin")]
    [InlineData("")]
    [InlineData(null)]
    // Look-alikes of '.', '/' and '\' (fullwidth, one-dot leader, division and fraction slashes, small full stop).
    [InlineData("\uFF0E\uFF0E\uFF0Fevil.bin")]
    [InlineData("\u2024\u2024\u2215evil.bin")]
    [InlineData("a\u2215b.bin")]
    [InlineData("a\u2044b.bin")]
    [InlineData("a\uFF3Cb.bin")]
    [InlineData("a\u29F5b.bin")]
    [InlineData("\uFE52\uFE52\u2215evil.bin")]
    [InlineData("model\u2024\u2024bin")]
    [InlineData("\uFF43\uFF4F\uFF4E.txt")]
    public void UnsafeFileNamesAreRefusedNamingTheField(string? name)
    {
        var error = Assert.Throws<ValidationException>(() => UploadRules.Validate(Request(name), Options));
        Assert.Equal(["fileName"], error.Errors.Keys);
    }

    [Fact]
    public void ALongNameIsMeasuredInBytes()
    {
        Assert.Throws<ValidationException>(() => UploadRules.Validate(Request(new string('模', 90) + ".bin"), Options));
        UploadRules.Validate(Request(new string('模', 80) + ".bin"), Options);
        Assert.Throws<ValidationException>(() => UploadRules.Validate(Request("\ud800.bin"), Options));
        UploadRules.Validate(Request("模型-🤖.bin"), Options);
        // Fullwidth letters and digits are fine where they do not spell a path or a device.
        UploadRules.Validate(Request("ｍｏｄｅｌ１.bin"), Options);
    }

    [Theory]
    [InlineData("llama.zip", "application/zip")]
    [InlineData("llama.tar", "application/x-tar")]
    [InlineData("llama.TAR.GZ", "application/gzip")]
    [InlineData("llama.tgz", "application/gzip")]
    [InlineData("pytorch_model.bin", "application/octet-stream")]
    [InlineData("model.pth", "application/octet-stream")]
    [InlineData("model.pt", "application/octet-stream")]
    [InlineData("last.ckpt", "application/octet-stream")]
    [InlineData("model.safetensors", "application/octet-stream")]
    [InlineData("model.onnx", "application/octet-stream")]
    [InlineData("saved_model.pb", "application/octet-stream")]
    [InlineData("keras.h5", "application/octet-stream")]
    [InlineData("qwen-q4_k_m.gguf", "application/octet-stream")]
    [InlineData("config.json", "application/json")]
    [InlineData("notes.txt", "text/plain")]
    [InlineData("README.md", "text/markdown")]
    public void AcceptedFormatsGetTheirContentType(string name, string contentType) =>
        Assert.Equal(contentType, UploadRules.Validate(Request(name), Options).ContentType);

    [Theory]
    [InlineData("model.exe")]
    [InlineData("model.gz")]
    [InlineData("model")]
    [InlineData("model.zip.sh")]
    public void OtherFormatsAre415WithTheList(string name)
    {
        var error = Assert.Throws<UnsupportedFormatException>(() => UploadRules.Validate(Request(name), Options));
        Assert.Equal(UploadRules.AcceptedExtensions, error.Accepted);
        Assert.Contains("fileName", error.Message);
    }

    [Fact]
    public void SizesHashesAndContentTypesAreChecked()
    {
        Assert.Equal(["size"], Assert.Throws<ValidationException>(() => UploadRules.Validate(Request(size: 0), Options)).Errors.Keys);
        var tooLarge = Assert.Throws<PayloadTooLargeException>(() => UploadRules.Validate(Request(size: Options.MaxFileBytes + 1), Options));
        Assert.Equal("size", tooLarge.Field);
        UploadRules.Validate(Request(size: Options.MaxFileBytes), Options);
        Assert.Equal(["sha256"], Assert.Throws<ValidationException>(() => UploadRules.Validate(Request(sha: "abc"), Options)).Errors.Keys);
        Assert.Equal(new string('a', 64), UploadRules.Validate(Request(sha: new string('A', 64)), Options).Sha256);
        Assert.Equal(["contentType"], Assert.Throws<ValidationException>(() => UploadRules.Validate(Request(type: "not a type"), Options)).Errors.Keys);
        Assert.Equal("application/x-custom; v=1", UploadRules.Validate(Request(type: "application/x-custom; v=1"), Options).ContentType);
        var several = Assert.Throws<ValidationException>(() => UploadRules.Validate(Request("../x.exe", 0, "zz"), Options, "file."));
        Assert.Equal(["file.fileName", "file.sha256", "file.size"], several.Errors.Keys.Order());
    }

    [Theory]
    [InlineData(1L, 5 * 1024 * 1024, 1)]
    [InlineData(5L * 1024 * 1024, 5 * 1024 * 1024, 1)]
    [InlineData(5L * 1024 * 1024 + 1, 5 * 1024 * 1024, 2)]
    [InlineData(1L << 30, 5 * 1024 * 1024, 205)]
    [InlineData(250L << 30, 6 * 1024 * 1024, 42667)]
    [InlineData(1L << 40, 21 * 1024 * 1024, 49933)]
    public void ChunksGrowSoNoFileNeedsMoreThan50000(long size, long chunk, int count)
    {
        var (chunkSize, chunkCount) = UploadRules.Layout(size, 5 * 1024 * 1024);
        Assert.Equal((chunk, count), (chunkSize, chunkCount));
        Assert.True(chunkCount <= BlockIds.MaxChunks);
        Assert.True((long)chunkCount * chunkSize >= size);
    }
}

public sealed class BlockIdsTests
{
    [Fact]
    public void IdsHaveOneLengthNameTheirChunkAndNeedNoEscaping()
    {
        Assert.Equal("MDAwMDAw", BlockIds.For(0));
        Assert.Equal("MDAwMDEy", BlockIds.For(12));
        foreach (var i in new[] { 0, 1, 9, 10, 4999, 49_999, 999_999 })
        {
            var id = BlockIds.For(i);
            Assert.Equal(8, id.Length);
            Assert.Equal(Uri.EscapeDataString(id), id);
            Assert.True(BlockIds.TryParse(id, out var back));
            Assert.Equal(i, back);
        }
        foreach (var bad in new[] { null, "", "MDAwMDA=", "QUFBQUFB", "MDAwMDAwMA==", "########", "mdawmdaw" })
        {
            Assert.False(BlockIds.TryParse(bad, out _), bad);
        }
        Assert.Equal(["MDAwMDAw", "MDAwMDAx", "MDAwMDAy"], BlockIds.Sequence(3));
    }

    [Fact]
    public void ChunkRangesAreShort()
    {
        Assert.Equal("[[0,2],[5,5],[7,8]]", System.Text.Json.JsonSerializer.Serialize(ChunkRanges.From([8, 0, 1, 2, 5, 7, 1])));
        Assert.Equal("0-2, 5, 7-8", ChunkRanges.Describe([0, 1, 2, 5, 7, 8]));
        Assert.Empty(ChunkRanges.From([]));
    }

    [Fact]
    public void KeysFollowTheLayout()
    {
        Assert.Equal("models/llama-3-8b/v2.1/model.zip", BlobKeys.ForFile(AssetRef.Model("Llama-3-8B"), "V2.1", "model.zip"));
        Assert.Equal("datasets/chat-logs/v1/train.jsonl", BlobKeys.ForFile(AssetRef.Dataset("Chat-Logs"), "V1", "train.jsonl"));
        Assert.True(BlobKeys.TryParseUpload("uploads/abc/model.zip", out var id));
        Assert.Equal("abc", id);
        Assert.False(BlobKeys.TryParseUpload("models/abc/v1/model.zip", out _));
        // An imported file's name is its path in the repository: its staged key has folders under the upload.
        Assert.True(BlobKeys.TryParseUpload("uploads/abc/x/y", out id));
        Assert.Equal("abc", id);
        Assert.False(BlobKeys.TryParseUpload("uploads/abc//y", out _));
        Assert.True(BlobKeys.TryParseFile("models/m/v1/f.bin", out var m, out var v, out var f));
        Assert.Equal((AssetKind.Model, "m", "v1", "f.bin"), (m.Kind, m.Name, v, f));
        Assert.True(BlobKeys.TryParseFile("datasets/d/v2/train.csv", out var d, out v, out f));
        Assert.Equal((AssetKind.Dataset, "d", "v2", "train.csv"), (d.Kind, d.Name, v, f));
        Assert.False(BlobKeys.TryParseFile("models/m/v1", out _, out _, out _));
        Assert.False(BlobKeys.TryParseFile("other/m/v1/f.bin", out _, out _, out _));
        Assert.Equal(["models/", "datasets/"], BlobKeys.PublishedPrefixes);
    }
}
