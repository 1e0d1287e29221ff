using System.Text.Json.Serialization;

namespace ModelsHub.Core.Catalog;

public enum ModelType { Llm, Embedding, Rerank, Image, Audio, Video, Multimodal, Custom }

public enum ModelFramework { Pytorch, Tensorflow, Onnx, Tensorrt, Openvino, Gguf, Mlx, Custom }

public enum ModelSource
{
    Upload,
    Huggingface,
    Openai,
    Anthropic,
    Upstream,
    Other,

    /// <summary>Any server that speaks OpenAI's API (Xinference, vLLM, ...), called like OpenAI at its own endpoint.</summary>
    [JsonStringEnumMemberName("openai-compatible")]
    OpenaiCompatible,
}

public enum ModelVisibility { Private, Public }

public enum ModelTier { Standard, Advanced, Enterprise }

public enum ModelStatus { Active, Inactive }

public enum ModelSort { Name, Updated, Created }

public static class ModelTypes
{
    /// <summary>The types Xinference serves; a model of one of these carries a spec.</summary>
    public static IReadOnlyList<ModelType> Xinference { get; } =
        [ModelType.Llm, ModelType.Embedding, ModelType.Rerank, ModelType.Image, ModelType.Audio, ModelType.Video];

    public static bool IsXinference(this ModelType type) => type <= ModelType.Video;

    /// <summary>Words a search for the type should match (seed 003: "text" finds the text models).</summary>
    public static string SearchWords(this ModelType type) => type switch
    {
        ModelType.Llm => "llm text language",
        ModelType.Embedding => "embedding text",
        ModelType.Rerank => "rerank text",
        ModelType.Image => "image vision",
        ModelType.Audio => "audio speech",
        ModelType.Video => "video",
        ModelType.Multimodal => "multimodal vision",
        _ => "custom file",
    };
}
