using System.Text.Json.Serialization;

namespace ModelsHub.Contracts.Models;

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

/// <summary>The order of a model listing (<c>?sort=</c>).</summary>
public enum ModelSort { Name, Updated, Created }
