using System.Text.Json.Nodes;
using ModelsHub.Contracts;

namespace ModelsHub.Web.Components.UI;

/// <summary>A starting Xinference entry per type, with the fields the hub requires (DESIGN.md "Contracts"), for the spec editor.</summary>
public static class SpecTemplates
{
    public const string Placeholder = "my-model";

    public static readonly System.Text.Json.JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = Services.Api.HubJson.Options.TypeInfoResolver,
    };

    public static bool HasSpec(ModelType type) => type <= ModelType.Video;

    public static string For(ModelType type, string name)
    {
        var modelName = string.IsNullOrWhiteSpace(name) ? Placeholder : name.Trim();
        var hub = new JsonObject { ["model_id"] = $"my-org/{modelName}" };
        JsonNode entry = type switch
        {
            ModelType.Llm => new JsonObject
            {
                ["version"] = 2,
                ["context_length"] = 32768,
                ["model_name"] = modelName,
                ["model_lang"] = new JsonArray("en"),
                ["model_ability"] = new JsonArray("chat"),
                ["model_description"] = "",
                ["model_specs"] = new JsonArray(new JsonObject
                {
                    ["model_format"] = "pytorch",
                    ["model_size_in_billions"] = 7,
                    ["model_src"] = new JsonObject { ["huggingface"] = new JsonObject { ["model_id"] = $"my-org/{modelName}", ["quantizations"] = new JsonArray("none") } },
                }),
            },
            ModelType.Embedding => new JsonObject
            {
                ["version"] = 2,
                ["model_name"] = modelName,
                ["dimensions"] = 1024,
                ["max_tokens"] = 512,
                ["language"] = new JsonArray("en"),
                ["model_specs"] = new JsonArray(new JsonObject
                {
                    ["model_format"] = "pytorch",
                    ["model_src"] = new JsonObject { ["huggingface"] = new JsonObject { ["model_id"] = $"my-org/{modelName}", ["quantizations"] = new JsonArray("none") } },
                }),
            },
            ModelType.Rerank => new JsonObject
            {
                ["version"] = 2,
                ["model_name"] = modelName,
                ["language"] = new JsonArray("en"),
                ["max_tokens"] = 512,
                ["model_specs"] = new JsonArray(new JsonObject
                {
                    ["model_format"] = "pytorch",
                    ["model_src"] = new JsonObject { ["huggingface"] = new JsonObject { ["model_id"] = $"my-org/{modelName}", ["quantizations"] = new JsonArray("none") } },
                }),
            },
            ModelType.Image or ModelType.Video => new JsonObject
            {
                ["version"] = 2,
                ["model_name"] = modelName,
                ["model_family"] = type == ModelType.Image ? "stable_diffusion" : "CogVideoX",
                ["model_ability"] = new JsonArray(type == ModelType.Image ? "text2image" : "text2video"),
                ["model_src"] = new JsonObject { ["huggingface"] = new JsonObject { ["model_id"] = $"my-org/{modelName}", ["model_revision"] = "main" } },
            },
            ModelType.Audio => new JsonObject
            {
                ["version"] = 2,
                ["model_name"] = modelName,
                ["model_family"] = "whisper",
                ["model_ability"] = new JsonArray("audio2text"),
                ["multilingual"] = true,
                ["model_src"] = new JsonObject { ["huggingface"] = hub },
            },
            _ => new JsonObject(),
        };
        return entry.ToJsonString(Indented);
    }
}
