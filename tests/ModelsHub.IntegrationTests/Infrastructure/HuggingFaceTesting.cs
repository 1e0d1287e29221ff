using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>Repositories the import tests read from a fake Hugging Face Hub, and the waits they share.</summary>
public static class HuggingFaceTesting
{
    public const string Gpt2 = "openai-community/gpt2";
    public const string Gated = "meta/gated-model";
    public const string Private = "acme/private-model";
    public const string GrantedToken = "hf_grantedtoken0000000000000000000";
    public const string OtherToken = "hf_othertoken000000000000000000000";
    public const string GrantedUser = "granted-user";

    public const string Readme = "---\nlicense: mit\nlanguage: en\ntags:\n- exbert\n---\n# GPT-2\n\nTest the whole generation capabilities here.\n";

    /// <summary>A gpt2-like repository (README with a card header, config, tokenizer, LFS weights, an ONNX folder), a gated one and a private one.</summary>
    public static void AddRepositories(this FakeHuggingFace hf, long weightsBytes = 3_000_000)
    {
        hf.AddModel(Gpt2, new Dictionary<string, FakeContent>
        {
            [".gitattributes"] = FakeContent.Of("*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.onnx filter=lfs diff=lfs merge=lfs -text\n"),
            ["README.md"] = FakeContent.Of(Readme),
            ["config.json"] = FakeContent.Of("{\n  \"model_type\": \"gpt2\",\n  \"n_layer\": 12\n}\n"),
            ["tokenizer.json"] = FakeContent.Of("{\"version\": \"1.0\"}"),
            ["model.safetensors"] = FakeContent.Pattern(weightsBytes, 7),
            ["onnx/model.onnx"] = FakeContent.Pattern(200_000, 8),
        }, pipelineTag: "text-generation", libraryName: "transformers", tags: ["transformers", "pytorch", "gpt2", "text-generation"]);
        hf.AddAlias("gpt2", Gpt2);
        hf.AddModel(Gated, new Dictionary<string, FakeContent>
        {
            ["README.md"] = FakeContent.Of("---\nlicense: other\nextra_gated_prompt: Accept the license\n---\n# Gated\n"),
            ["config.json"] = FakeContent.Of("{}"),
            ["model.safetensors"] = FakeContent.Pattern(1_500_000, 9),
        }, pipelineTag: "text-generation", libraryName: "transformers", gated: "manual");
        hf.AddModel(Private, new Dictionary<string, FakeContent> { ["weights.bin"] = FakeContent.Pattern(100_000, 10) }, isPrivate: true);
        hf.AddToken(GrantedToken, GrantedUser);
        hf.AddToken(OtherToken, "other-user");
        hf.GrantAccess(Gated, GrantedUser);
        hf.GrantAccess(Private, GrantedUser);
    }

    /// <summary>Points a hub at the fake Hub, with fast retries.</summary>
    public static HubApplication WithHuggingFace(this HubApplication app, FakeHuggingFace hf) =>
        app.With("HuggingFace:Endpoint", hf.Endpoint.ToString())
            .With("HuggingFace:Timeout", "00:00:10")
            .With("Workflows:RetryDelay", "00:00:00.100")
            .With("Workflows:MaxRetryDelay", "00:00:01");

    /// <summary>The import once it reached a final state.</summary>
    public static async Task<JsonElement> FinishedImportAsync(HttpClient client, string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var response = await client.GetAsync($"/api/imports/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var import = await response.JsonAsync();
                if (import.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled") return import;
            }
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Import {id} did not finish: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// A signed-in user who may import: administrators grant <c>sources.manage</c> (only their own role bundles it),
    /// as they would to the people who bring models in from outside.
    /// </summary>
    public static async Task<HttpClient> ImporterAsync(Func<string, string[], Task<HttpClient>> clientFor, string user = "mia")
    {
        var client = await clientFor(user, ["user"]);
        await client.GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK);
        var admin = await clientFor("ada", ["admin"]);
        await admin.PutAsync($"/api/users/{user}/permissions/sources.manage", null).ExpectAsync(HttpStatusCode.OK);
        return client;
    }

    public static Task<HttpClient> ImporterAsync(this HubApplication app, string user = "mia") =>
        ImporterAsync((u, roles) => Task.FromResult(app.ClientFor(u, roles)), user);

    public static Task<HttpClient> ImporterAsync(this HubProcess hub, string user = "mia") =>
        ImporterAsync((u, roles) => hub.ClientForAsync(u, roles), user);

    public static async Task<string> StartImportAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/imports/huggingface", body, HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }
}
