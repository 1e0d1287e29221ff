using System.Net.Http.Json;
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

    /// <summary>The hub's own llm models for download tests: one public standard model that every caller is served, and
    /// a private, an advanced, an enterprise, an inactive and an expired one that anonymous callers never are.</summary>
    public static async Task RegisterDownloadAudienceModelsAsync(HttpClient admin)
    {
        var inactive = Model("hub-inactive-llm", "public");
        inactive["status"] = "inactive";
        var expired = Model("hub-expired-llm", "public");
        expired["expiresAt"] = DateTimeOffset.UtcNow.AddDays(-1).ToString("O");
        foreach (var body in new[]
        {
            Model("hub-own-llm", "public"), Model("hub-private-llm"), Model("hub-advanced-llm", "public", "advanced"),
            Model("hub-enterprise-llm", "public", "enterprise"), inactive, expired,
        })
        {
            await admin.PostAsJsonAsync("/api/models", body, HubApplication.Json).ExpectAsync(System.Net.HttpStatusCode.Created);
        }
    }
}
