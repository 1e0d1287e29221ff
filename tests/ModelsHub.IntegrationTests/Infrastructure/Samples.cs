using System.Text.Json.Nodes;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>Request bodies for models of each kind, valid unless a test changes them.</summary>
public static class Samples
{
    public static JsonObject LlmEntry(string name) => JsonNode.Parse($$"""
        {
          "version": 2,
          "context_length": 32768,
          "model_name": "{{name}}",
          "model_lang": ["en", "zh"],
          "model_ability": ["chat", "tools"],
          "model_description": "A chat model for tests — 测试模型.",
          "model_specs": [
            {
              "model_format": "pytorch",
              "model_size_in_billions": 7,
              "model_src": {
                "huggingface": {"quantizations": ["none"], "model_id": "tests/{{name}}"},
                "modelscope": {"quantizations": ["none"], "model_id": "tests/{{name}}"}
              }
            }
          ]
        }
        """)!.AsObject();

    public static JsonObject Model(string name, string visibility = "private", string tier = "standard", string type = "llm", bool withSpec = true)
    {
        var body = new JsonObject
        {
            ["name"] = name,
            ["type"] = type,
            ["description"] = $"The {name} model",
            ["tags"] = new JsonArray("chat", "test"),
            ["framework"] = "pytorch",
            ["visibility"] = visibility,
            ["tier"] = tier,
        };
        if (withSpec && type == "llm")
        {
            body["spec"] = LlmEntry(name);
        }
        return body;
    }
}
