using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Imports;
using ModelsHub.Web.Components.Pages.AiModels;
using ModelsHub.Web.Services.Auth;

namespace ModelsHub.WebTests;

public sealed class ImportPagesTests : WebTestContext
{
    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    private static readonly ImportPreviewDto Preview = new("openai-community/gpt2", "main", new string('c', 40), "text-generation", "transformers", null, false,
        ModelType.Llm, ModelFramework.Pytorch, "gpt2", null,
        [new PreviewFileDto("README.md", 120, false, null), new PreviewFileDto("config.json", 40, false, null),
         new PreviewFileDto("model.safetensors", 3_000_000, true, new string('a', 64)), new PreviewFileDto("onnx/model[1].onnx", 200_000, true, new string('b', 64))],
        [new SkippedFileDto(".gitattributes", 80, "Git metadata")], 4, 3_200_160);

    private static ImportDto Import(ImportState state, params ImportFileDto[] files) => new("imp-1", "huggingface", "openai-community/gpt2", "main", new string('c', 40),
        "http://hf.test", [], [], state, "gpt2", true, "main", files, files.Length, files.Count(f => f.State == ImportFileState.Done), files.Sum(f => f.Size),
        files.Sum(f => f.BytesDone), "text-generation", "transformers", null, null, null, false, "mia", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null, null,
        "/api/imports/imp-1", "/api/models/gpt2", null);

    [Fact]
    public void ThePreviewListsTheFilesWithTheirSizesAndTheImportTakesOnlyTheChosenOnes()
    {
        SignIn("mia", Permissions.ManageExternalSources);
        Hub.On(HttpMethod.Get, "/api/imports?", HttpStatusCode.OK, """{"items":[]}""");
        Hub.On(HttpMethod.Get, "/api/imports/huggingface/preview", HttpStatusCode.OK, JsonSerializer.Serialize(Preview, ContractJson.Options));
        Hub.On(HttpMethod.Post, "/api/imports/huggingface", HttpStatusCode.Accepted, JsonSerializer.Serialize(Import(ImportState.Queued), ContractJson.Options));
        var cut = Render<HuggingFaceImportPage>();
        cut.Find("[data-testid=hf-repo]").Change("openai-community/gpt2");

        cut.Find("[data-testid=hf-form]").Submit();

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("[data-testid=hf-file]").Count));
        Assert.Contains("2.9 MB", cut.Find("[data-path='model.safetensors']").TextContent);
        Assert.Contains("4 of 4 files selected (3.1 MB)", cut.Find("[data-testid=hf-selection]").TextContent);
        Assert.Contains("/api/imports/huggingface/preview?repoId=openai-community%2Fgpt2", Hub.Requests.Select(r => r.PathAndQuery).Single(p => p.Contains("preview")));
        Assert.Equal("gpt2", cut.Find("[data-testid=hf-model]").GetAttribute("value"));
        Untick(cut, "README.md");
        Untick(cut, "config.json");
        Untick(cut, "model.safetensors");
        cut.WaitForAssertion(() => Assert.Contains("1 of 4 files selected (195.3 KB)", cut.Markup));

        cut.Find("[data-testid=hf-import-form]").Submit();

        cut.WaitForAssertion(() => Assert.EndsWith("/imports/imp-1", Navigation.Uri));
        var body = JsonDocument.Parse(Hub.Requests.Single(r => r.Method == HttpMethod.Post).Body!).RootElement;
        Assert.Equal(["onnx/model[[]1].onnx"], body.GetProperty("include").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(("openai-community/gpt2", "main", "gpt2"), (body.GetProperty("repoId").GetString(), body.GetProperty("revision").GetString(),
            body.GetProperty("model").GetProperty("name").GetString()));
    }

    [Fact]
    public void AGatedRepositorySaysWhatToDoAndTakesTheTokenThatOpensIt()
    {
        SignIn("mia", Permissions.ManageExternalSources);
        var previews = 0;
        Hub.On(HttpMethod.Get, "/api/imports/huggingface/preview", _ => Interlocked.Increment(ref previews) == 1
            ? new HttpResponseMessage(HttpStatusCode.BadRequest)
            {
                Content = new StringContent("""{"status":400,"title":"One or more fields are invalid.","errors":{"repoId":["gated: meta/gated-model is a gated repository. Accept the license on the Hub (http://hf.test/meta/gated-model) and save a Hugging Face token of that account (PUT /api/me/huggingface-token), then import again."]}}""",
                    System.Text.Encoding.UTF8, "application/problem+json"),
            }
            : FakeHub.Json(HttpStatusCode.OK, JsonSerializer.Serialize(Preview with { RepoId = "meta/gated-model", Gated = "manual" }, ContractJson.Options)));
        Hub.On(HttpMethod.Put, "/api/me/huggingface-token", HttpStatusCode.OK, """{"lastFour":"0000","login":"granted-user","scopes":["read"],"validatedAt":"2026-01-01T00:00:00Z"}""");
        var cut = Render<HuggingFaceImportPage>();
        cut.Find("[data-testid=hf-repo]").Change("meta/gated-model");
        cut.Find("[data-testid=hf-form]").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Accept the license on the Hub", cut.Find("[data-testid=hf-gated]").TextContent));
        Assert.DoesNotContain("gated:", cut.Find("[data-testid=hf-gated]").TextContent);
        cut.Find("[data-testid=hf-token]").Change("hf_grantedtoken");
        cut.Find("[data-testid=hf-token-form]").Submit();

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("[data-testid=hf-file]").Count));
        Assert.Empty(cut.FindAll("[data-testid=hf-gated]"));
        Assert.Contains("\"token\":\"hf_grantedtoken\"", Hub.Requests.Single(r => r.Method == HttpMethod.Put).Body);
    }

    [Fact]
    public void AnImportShowsEachFilesProgressUntilItEnds()
    {
        SignIn("mia", Permissions.ManageExternalSources);
        var reads = 0;
        Hub.On(HttpMethod.Get, "/api/imports/imp-1", _ => FakeHub.Json(HttpStatusCode.OK, JsonSerializer.Serialize(Interlocked.Increment(ref reads) == 1
            ? Import(ImportState.Running, new ImportFileDto("config.json", 40, 40, ImportFileState.Done, false, null, "x"),
                new ImportFileDto("model.safetensors", 3_000_000, 1_000_000, ImportFileState.Copying, true, new string('a', 64), null))
            : Import(ImportState.Succeeded, new ImportFileDto("config.json", 40, 40, ImportFileState.Done, false, null, "x"),
                new ImportFileDto("model.safetensors", 3_000_000, 3_000_000, ImportFileState.Done, true, new string('a', 64), new string('a', 64))), ContractJson.Options)));

        var cut = Render<ImportPage>(p => p.Add(x => x.Id, "imp-1"));

        cut.WaitForAssertion(() => Assert.Equal("copying", cut.Find("tr[data-path='model.safetensors']").GetAttribute("data-state")));
        Assert.Contains("976.6 KB / 2.9 MB", cut.Find("tr[data-path='model.safetensors']").TextContent);
        Assert.NotEmpty(cut.FindAll("[data-testid=import-cancel]"));
        cut.WaitForAssertion(() => Assert.Equal("succeeded", cut.Find("[data-testid=import-state]").GetAttribute("data-state")), TimeSpan.FromSeconds(5));
        Assert.Equal("models/gpt2?tab=versions", cut.Find("[data-testid=import-model-link]").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=import-cancel]"));
    }

    private static void Untick(IRenderedComponent<HuggingFaceImportPage> cut, string path)
    {
        var box = cut.FindComponents<FluentCheckbox>().Single(c => c.Instance.AdditionalAttributes?["data-path"]?.ToString() == path);
        cut.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(false));
    }
}
