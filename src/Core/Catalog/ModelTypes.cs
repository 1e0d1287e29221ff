using ModelsHub.Contracts.Models;

namespace ModelsHub.Core.Catalog;

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
