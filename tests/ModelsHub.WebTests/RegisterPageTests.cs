using System.Net;
using ModelsHub.Contracts;
using ModelsHub.Web.Components.Pages.Register;

namespace ModelsHub.WebTests;

public sealed class RegisterPageTests : WebTestContext
{
    [Fact]
    public void TheHubsFieldErrorsAppearAtTheirFieldsWithTheSpecLine()
    {
        SignIn("carol");
        Hub.Problem(HttpMethod.Post, "/api/models", HttpStatusCode.BadRequest, """
            {"status":400,"title":"One or more fields are invalid.","errors":{
              "name":["A model named 'qwen3' already exists."],
              "spec[0].model_specs[0].model_format":["Must be one of: pytorch, gptq, awq, fp4, fp8, bnb, ggufv2, mlx."]}}
            """);
        var cut = Render<RegisterPage>();
        cut.Find("[data-testid=field-name]").Change("qwen3");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("already exists", cut.Find("#field-name-errors").TextContent));
        var specError = cut.Find(".spec-editor [data-field='spec[0].model_specs[0].model_format']");
        var template = ModelsHub.Web.Components.UI.SpecTemplates.For(ModelType.Llm, "");
        var line = 1 + template[..template.IndexOf("\"model_format\"", StringComparison.Ordinal)].Count(c => c == '\n');
        Assert.Contains($"line {line}", specError.TextContent);
        Assert.Contains("Must be one of", specError.TextContent);
        var posted = Hub.Requests.Single(r => r.Method == HttpMethod.Post);
        Assert.Contains("\"name\":\"qwen3\"", posted.Body);
        Assert.Contains("\"visibility\":\"private\"", posted.Body);
    }

    [Fact]
    public void AnEmptyNameIsRefusedBeforeAnythingIsSent()
    {
        SignIn("carol");
        var cut = Render<RegisterPage>();

        cut.Find("form").Submit();

        Assert.Contains("Give the model a name.", cut.Find("#field-name-errors").TextContent);
        Assert.DoesNotContain(Hub.Requests, r => r.Method == HttpMethod.Post);
    }

    [Fact]
    public void APublicRegistrationWaitingForReviewSaysSo()
    {
        SignIn("carol");
        Hub.On(HttpMethod.Post, "/api/models", HttpStatusCode.Accepted, Samples.Submission("sub-1", "qwen3"));
        var cut = Render<RegisterPage>();
        cut.Find("[data-testid=field-name]").Change("qwen3");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("waiting for a reviewer", cut.Markup), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void GetReadmeFillsTheReadmeFromTheDraft()
    {
        SignIn("carol");
        Hub.On(HttpMethod.Post, "/api/models/readme-template", HttpStatusCode.OK, """{"readme":"# qwen3\n\nGenerated."}""");
        var cut = Render<RegisterPage>();
        cut.Find("[data-testid=field-name]").Change("qwen3");

        cut.Find("[data-testid=get-readme]").Click();

        cut.WaitForAssertion(() => Assert.Equal("# qwen3\n\nGenerated.", cut.Find("[data-testid=field-readme]").GetAttribute("value")));
        Assert.Contains("\"name\":\"qwen3\"", Hub.Requests.Single(r => r.PathAndQuery == "/api/models/readme-template").Body);
    }
}
