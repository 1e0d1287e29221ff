using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Datasets;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;

namespace ModelsHub.UnitTests;

public sealed class AssetRefTests
{
    [Fact]
    public void AModelKeepsItsIdAsKeyAndOtherKindsPrefixTheirs()
    {
        Assert.Equal("llama-3-8b", AssetRef.Model("Llama-3-8B").Key);
        Assert.Equal("dataset:chat-logs", AssetRef.Dataset("Chat-Logs").Key);
        Assert.True(AssetRef.TryParseKey("dataset:chat-logs", out var dataset));
        Assert.Equal((AssetKind.Dataset, "chat-logs"), (dataset.Kind, dataset.Name));
        Assert.True(AssetRef.TryParseKey("qwen3", out var model));
        Assert.Equal((AssetKind.Model, "qwen3"), (model.Kind, model.Name));
        Assert.False(AssetRef.TryParseKey("robot:r2", out _));
        Assert.False(AssetRef.TryParseKey("dataset:", out _));
        Assert.True(AssetRef.Dataset("A").SameAs(AssetRef.Dataset("a")));
        Assert.False(AssetRef.Dataset("a").SameAs(AssetRef.Model("a")));
    }

    [Fact]
    public void VersionsAndUploadsStoredBeforeDatasetsReadAsModels()
    {
        var version = JsonSerializer.Deserialize<AssetVersion>(
            """{"modelId":"qwen3","model":"Qwen3","id":"v1","label":"v1","createdBy":"ada","status":"ready"}""", HubJson.Options)!;
        Assert.Equal((AssetKind.Model, "qwen3", "Qwen3", VersionStatus.Ready), (version.Kind, version.AssetKey, version.Asset, version.Status));
        var written = JsonSerializer.Serialize(version, HubJson.Options);
        Assert.DoesNotContain("modelId", written);
        Assert.Contains("\"assetKey\":\"qwen3\"", written);

        var session = JsonSerializer.Deserialize<UploadSession>(
            """{"id":"u1","modelId":"qwen3","model":"Qwen3","versionId":"v1","version":"v1","fileName":"m.bin","blobKey":"models/qwen3/v1/m.bin","stagingKey":"uploads/u1/m.bin","createdBy":"ada"}""",
            HubJson.Options)!;
        Assert.Equal((AssetKind.Model, "qwen3", "Qwen3"), (session.Kind, session.AssetKey, session.Asset));
        Assert.True(session.IsFor(version));
    }

    [Fact]
    public void DatasetVersionsRoundTripWithTheirKindAndValidation()
    {
        var version = AssetVersion.New(AssetRef.Dataset("Chat-Logs"), "v1", "ada", DateTimeOffset.UnixEpoch);
        version.Validation = new DatasetValidation
        {
            Format = DatasetFormat.JsonlChat, File = "train.jsonl", Sha256 = new string('a', 64), RecordCount = 3,
            Roles = new Dictionary<string, long> { ["user"] = 3 }, Errors = [new DatasetError(2, "bad")], ErrorCount = 1,
        };
        var text = JsonSerializer.Serialize(version, HubJson.Options);
        Assert.Contains("\"format\":\"jsonl-chat\"", text);
        var read = JsonSerializer.Deserialize<AssetVersion>(text, HubJson.Options)!;
        Assert.Equal((AssetKind.Dataset, "dataset:chat-logs", "Chat-Logs"), (read.Kind, read.AssetKey, read.Asset));
        Assert.Equal((3L, 2L, "bad"), (read.Validation!.RecordCount, read.Validation.Errors[0].Line!.Value, read.Validation.Errors[0].Message));
    }

    [Fact]
    public void DatasetFormatsHaveTheirWireNames()
    {
        Assert.Equal(["jsonl-chat", "jsonl-completion", "csv", "parquet", "archive"], Enum.GetValues<DatasetFormat>().Select(EnumNames<DatasetFormat>.NameOf));
        Assert.True(EnumNames<DatasetFormat>.TryParse("JSONL-Chat", out var format));
        Assert.Equal(DatasetFormat.JsonlChat, format);
        Assert.False(EnumNames<DatasetFormat>.TryParse("jsonl_chat", out _));
    }
}
