using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;

namespace ModelsHub.Core.Imports;

/// <summary>
/// How a Hugging Face repository's metadata becomes the hub's model type and framework (seed 004's
/// types and frameworks): the pipeline tag names the task, the library (and failing that, the
/// weight files) the framework.
/// </summary>
public static class HuggingFaceMapping
{
    private static readonly Dictionary<string, ModelType> Tasks = new(StringComparer.OrdinalIgnoreCase)
    {
        // Language: generation and the text tasks of encoder models (seed 004 counts BERT among the LLMs).
        ["text-generation"] = ModelType.Llm,
        ["text2text-generation"] = ModelType.Llm,
        ["conversational"] = ModelType.Llm,
        ["summarization"] = ModelType.Llm,
        ["translation"] = ModelType.Llm,
        ["fill-mask"] = ModelType.Llm,
        ["question-answering"] = ModelType.Llm,
        ["table-question-answering"] = ModelType.Llm,
        ["text-classification"] = ModelType.Llm,
        ["token-classification"] = ModelType.Llm,
        ["zero-shot-classification"] = ModelType.Llm,
        ["feature-extraction"] = ModelType.Embedding,
        ["sentence-similarity"] = ModelType.Embedding,
        ["text-ranking"] = ModelType.Rerank,
        ["text-to-image"] = ModelType.Image,
        ["image-to-image"] = ModelType.Image,
        ["unconditional-image-generation"] = ModelType.Image,
        ["image-classification"] = ModelType.Image,
        ["object-detection"] = ModelType.Image,
        ["image-segmentation"] = ModelType.Image,
        ["depth-estimation"] = ModelType.Image,
        ["image-feature-extraction"] = ModelType.Image,
        ["mask-generation"] = ModelType.Image,
        ["keypoint-detection"] = ModelType.Image,
        ["automatic-speech-recognition"] = ModelType.Audio,
        ["text-to-speech"] = ModelType.Audio,
        ["text-to-audio"] = ModelType.Audio,
        ["audio-classification"] = ModelType.Audio,
        ["audio-to-audio"] = ModelType.Audio,
        ["voice-activity-detection"] = ModelType.Audio,
        ["text-to-video"] = ModelType.Video,
        ["image-to-video"] = ModelType.Video,
        ["video-classification"] = ModelType.Video,
        ["image-text-to-text"] = ModelType.Multimodal,
        ["image-to-text"] = ModelType.Multimodal,
        ["visual-question-answering"] = ModelType.Multimodal,
        ["document-question-answering"] = ModelType.Multimodal,
        ["zero-shot-image-classification"] = ModelType.Multimodal,
        ["zero-shot-object-detection"] = ModelType.Multimodal,
        ["video-text-to-text"] = ModelType.Multimodal,
        ["audio-text-to-text"] = ModelType.Multimodal,
        ["any-to-any"] = ModelType.Multimodal,
        ["visual-document-retrieval"] = ModelType.Multimodal,
    };

    private static readonly Dictionary<string, ModelFramework> Libraries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["transformers"] = ModelFramework.Pytorch,
        ["sentence-transformers"] = ModelFramework.Pytorch,
        ["diffusers"] = ModelFramework.Pytorch,
        ["peft"] = ModelFramework.Pytorch,
        ["timm"] = ModelFramework.Pytorch,
        ["open_clip"] = ModelFramework.Pytorch,
        ["pytorch"] = ModelFramework.Pytorch,
        ["nemo"] = ModelFramework.Pytorch,
        ["speechbrain"] = ModelFramework.Pytorch,
        ["ultralytics"] = ModelFramework.Pytorch,
        ["flair"] = ModelFramework.Pytorch,
        ["keras"] = ModelFramework.Tensorflow,
        ["tf-keras"] = ModelFramework.Tensorflow,
        ["tensorflow"] = ModelFramework.Tensorflow,
        ["tflite"] = ModelFramework.Tensorflow,
        ["onnx"] = ModelFramework.Onnx,
        ["transformers.js"] = ModelFramework.Onnx,
        ["optimum"] = ModelFramework.Onnx,
        ["openvino"] = ModelFramework.Openvino,
        ["gguf"] = ModelFramework.Gguf,
        ["llama.cpp"] = ModelFramework.Gguf,
        ["mlx"] = ModelFramework.Mlx,
        ["tensorrt"] = ModelFramework.Tensorrt,
    };

    /// <summary>The model type for a pipeline tag (custom when there is none or it names a task the hub has no type for).</summary>
    public static ModelType TypeFor(string? pipelineTag, string? libraryName)
    {
        if (pipelineTag is not null && Tasks.TryGetValue(pipelineTag, out var type))
        {
            // A sentence-transformers model that classifies pairs is a cross-encoder: a reranker.
            return type == ModelType.Llm && pipelineTag == "text-classification" && string.Equals(libraryName, "sentence-transformers", StringComparison.OrdinalIgnoreCase)
                ? ModelType.Rerank
                : type;
        }
        return ModelType.Custom;
    }

    /// <summary>
    /// The framework: the library's, else the weight files' (GGUF, ONNX, OpenVINO IR, MLX, Keras/TF,
    /// then PyTorch or safetensors), else custom. <paramref name="files"/> are the files selected.
    /// </summary>
    public static ModelFramework FrameworkFor(string? libraryName, IEnumerable<string> tags, IEnumerable<string> files)
    {
        if (libraryName is not null && Libraries.TryGetValue(libraryName, out var framework))
        {
            return framework;
        }
        var tagSet = new HashSet<string>(tags, StringComparer.OrdinalIgnoreCase);
        var names = files.Select(f => f.ToLowerInvariant()).ToList();
        bool Any(params string[] endings) => names.Any(n => endings.Any(e => n.EndsWith(e, StringComparison.Ordinal)));
        if (tagSet.Contains("gguf") || Any(".gguf")) return ModelFramework.Gguf;
        if (tagSet.Contains("mlx")) return ModelFramework.Mlx;
        if (tagSet.Contains("openvino") || Any("openvino_model.xml")) return ModelFramework.Openvino;
        if (Any(".onnx")) return ModelFramework.Onnx;
        if (Any(".safetensors", ".bin", ".pt", ".pth", ".ckpt")) return ModelFramework.Pytorch;
        if (Any(".h5", ".pb", ".keras", ".tflite")) return ModelFramework.Tensorflow;
        if (Any(".engine", ".plan")) return ModelFramework.Tensorrt;
        return ModelFramework.Custom;
    }
}
