using ModelsHub.Contracts.Models;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Imports;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;

namespace ModelsHub.UnitTests;

/// <summary>The pure rules of Hugging Face imports: file globs as huggingface_hub's fnmatch reads them, typing, the model card, imported file paths.</summary>
public sealed class HuggingFaceImportRulesTests
{
    [Theory]
    [InlineData("*.safetensors", "model.safetensors", true)]
    [InlineData("*.json", "onnx/config.json", true)] // fnmatch's '*' crosses folders, as in huggingface_hub's allow_patterns
    [InlineData("*.json", "config.jsonl", false)]
    [InlineData("onnx/", "onnx/model.onnx", true)] // a folder pattern selects what is under it
    [InlineData("onnx/", "onnx.txt", false)]
    [InlineData("model-0000?-of-00002.safetensors", "model-00001-of-00002.safetensors", true)]
    [InlineData("model-0000?-of-00002.safetensors", "model-00010-of-00002.safetensors", false)]
    [InlineData("[ct]*.json", "config.json", true)]
    [InlineData("[ct]*.json", "tokenizer.json", true)]
    [InlineData("[!ct]*.json", "tokenizer.json", false)]
    [InlineData("[a-c]*", "b.bin", true)]
    [InlineData("README.md", "readme.md", false)] // names on the Hub are case-sensitive
    [InlineData("*", ".gitattributes", true)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("[x", "[x", true)] // an unclosed class is a literal '['
    public void GlobsMatchAsHuggingFaceHubsFnmatch(string pattern, string path, bool expected) =>
        Assert.Equal(expected, RepoFileGlobs.IsMatch(pattern, path));

    [Fact]
    public void SelectionIsIncludeMinusExclude()
    {
        Assert.True(RepoFileGlobs.Selects([], [], "any.bin"));
        Assert.True(RepoFileGlobs.Selects(["*.json", "*.safetensors"], ["onnx/*"], "model.safetensors"));
        Assert.False(RepoFileGlobs.Selects(["*.json"], ["onnx/*"], "onnx/config.json"));
        Assert.False(RepoFileGlobs.Selects(["*.json"], [], "model.bin"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\u0001b")]
    public void ABadGlobSaysWhy(string pattern) => Assert.NotNull(RepoFileGlobs.ProblemWith(pattern));

    [Fact]
    public void AGlobWithManyStarsStaysFast()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(RepoFileGlobs.IsMatch(string.Concat(Enumerable.Repeat("*a", 40)) + "b", new string('a', 400)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("text-generation", "transformers", ModelType.Llm)]
    [InlineData("fill-mask", "transformers", ModelType.Llm)]
    [InlineData("sentence-similarity", "sentence-transformers", ModelType.Embedding)]
    [InlineData("feature-extraction", "sentence-transformers", ModelType.Embedding)]
    [InlineData("text-ranking", "sentence-transformers", ModelType.Rerank)]
    [InlineData("text-classification", "sentence-transformers", ModelType.Rerank)]
    [InlineData("text-classification", "transformers", ModelType.Llm)]
    [InlineData("text-to-image", "diffusers", ModelType.Image)]
    [InlineData("image-classification", "timm", ModelType.Image)]
    [InlineData("automatic-speech-recognition", "transformers", ModelType.Audio)]
    [InlineData("text-to-video", "diffusers", ModelType.Video)]
    [InlineData("image-text-to-text", "transformers", ModelType.Multimodal)]
    [InlineData("zero-shot-image-classification", "open_clip", ModelType.Multimodal)]
    [InlineData("reinforcement-learning", "stable-baselines3", ModelType.Custom)]
    [InlineData(null, null, ModelType.Custom)]
    public void PipelineTagsBecomeTypes(string? tag, string? library, ModelType expected) =>
        Assert.Equal(expected, HuggingFaceMapping.TypeFor(tag, library));

    [Theory]
    [InlineData("transformers", new string[0], new[] { "model.safetensors" }, ModelFramework.Pytorch)]
    [InlineData("mlx", new string[0], new[] { "model.safetensors" }, ModelFramework.Mlx)]
    [InlineData("keras", new string[0], new[] { "model.keras" }, ModelFramework.Tensorflow)]
    [InlineData("transformers.js", new string[0], new[] { "onnx/model.onnx" }, ModelFramework.Onnx)]
    [InlineData(null, new[] { "gguf" }, new[] { "q4.gguf" }, ModelFramework.Gguf)]
    [InlineData(null, new string[0], new[] { "model.onnx", "config.json" }, ModelFramework.Onnx)]
    [InlineData(null, new string[0], new[] { "openvino_model.xml", "openvino_model.bin" }, ModelFramework.Openvino)]
    [InlineData(null, new string[0], new[] { "tf_model.h5" }, ModelFramework.Tensorflow)]
    [InlineData(null, new string[0], new[] { "pytorch_model.bin" }, ModelFramework.Pytorch)]
    [InlineData("some-new-library", new string[0], new[] { "weights.dat" }, ModelFramework.Custom)]
    public void LibrariesAndWeightFilesBecomeFrameworks(string? library, string[] tags, string[] files, ModelFramework expected) =>
        Assert.Equal(expected, HuggingFaceMapping.FrameworkFor(library, tags, files));

    [Fact]
    public void TheModelCardLosesItsYamlHeader()
    {
        Assert.Equal("# GPT-2\n\nText.\n", ModelCard.BodyOf("---\nlicense: mit\ntags:\n- exbert\n---\n# GPT-2\n\nText.\n"));
        Assert.Equal("# Title\n", ModelCard.BodyOf("\uFEFF---\r\nlicense: mit\r\n---\r\n# Title\n"));
        Assert.Equal("# No header\n---\n", ModelCard.BodyOf("# No header\n---\n"));
        // An unclosed header is not a header.
        Assert.Equal("---\nlicense: mit\n# Body\n", ModelCard.BodyOf("---\nlicense: mit\n# Body\n"));
    }

    [Theory]
    [InlineData("openai-community/gpt2", "gpt2")]
    [InlineData("gpt2", "gpt2")]
    [InlineData("Qwen/Qwen2.5-0.5B-Instruct", "Qwen2.5-0.5B-Instruct")]
    [InlineData("someone/download", "hf-download")]
    public void ARepositoryNamesItsModel(string repoId, string expected) => Assert.Equal(expected, HuggingFaceImports.ModelNameFor(repoId));

    [Theory]
    [InlineData("onnx/model.onnx")]
    [InlineData("1_Pooling/config.json")]
    [InlineData(".gitattributes")]
    [InlineData("tokenizer.model")]
    [InlineData("LICENSE")]
    public void AnImportedFileKeepsItsRepositoryPathAndFormat(string path)
    {
        var request = UploadRules.Validate(new UploadRequest(path, 10, null, null) { Origin = UploadOrigin.Import }, new UploadOptions());
        Assert.Equal(path, request.FileName);
        Assert.NotNull(request.ContentType);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("onnx/../model.onnx")]
    [InlineData("/abs/model.onnx")]
    [InlineData("onnx//model.onnx")]
    [InlineData("onnx/")]
    [InlineData("a\\b.bin")]
    [InlineData("..")]
    [InlineData("onnx/con.txt")]
    public void AnImportedPathMayNotLeaveItsVersion(string path)
    {
        var error = Assert.Throws<ValidationException>(() => UploadRules.Validate(new UploadRequest(path, 10, null, null) { Origin = UploadOrigin.Import }, new UploadOptions()));
        Assert.Equal(["fileName"], error.Errors.Keys);
    }

    [Fact]
    public void AClientUploadStillNeedsAPlainNameOfAnAcceptedFormat()
    {
        Assert.Throws<ValidationException>(() => UploadRules.Validate(new UploadRequest("onnx/model.onnx", 10, null, null), new UploadOptions()));
        Assert.Throws<UnsupportedFormatException>(() => UploadRules.Validate(new UploadRequest("LICENSE", 10, null, null), new UploadOptions()));
    }

    [Fact]
    public void BlobKeysOfImportedPathsParse()
    {
        Assert.True(BlobKeys.TryParseFile("models/m/v1/onnx/model.onnx", out var model, out var version, out var file));
        Assert.Equal((AssetRef.Model("m"), "v1", "onnx/model.onnx"), (model, version, file));
        Assert.True(BlobKeys.TryParseFile("datasets/d/v2/splits/train.jsonl", out var dataset, out _, out var inFolder));
        Assert.Equal((AssetRef.Dataset("d"), "splits/train.jsonl"), (dataset, inFolder));
        Assert.True(BlobKeys.TryParseUpload("uploads/abc/onnx/model.onnx", out var upload));
        Assert.Equal("abc", upload);
        Assert.False(BlobKeys.TryParseFile("models/m/v1//x", out _, out _, out _));
        Assert.False(BlobKeys.TryParseUpload("uploads/abc", out _));
    }
}
