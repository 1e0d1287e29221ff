using ModelsHub.Web.Components.UI;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.WebTests;

public sealed class ProblemViewTests : WebTestContext
{
    [Fact]
    public void AForbiddenAnswerNamesTheMissingPermission()
    {
        var cut = Render<ProblemView>(p => p.Add(v => v.Problem, new ProblemResponse
        {
            Status = 403,
            Detail = "To start an upstream sync you need the 'users.administer' permission (administrators).",
        }));

        Assert.Contains("users.administer", cut.Markup);
        Assert.Contains("Ask an administrator", cut.Markup);
    }

    [Fact]
    public void ANotFoundAnswerIsANotFoundPanelNotRawJson()
    {
        var cut = Render<ProblemView>(p => p.Add(v => v.Problem, new ProblemResponse { Status = 404, Title = "Not Found", Detail = "Model 'x' was not found." }));

        Assert.Equal("Not found", cut.Find("h1").TextContent);
        Assert.DoesNotContain("{", cut.Markup);
    }

    [Fact]
    public void FieldErrorsAreListedByFieldWhenNoFieldShowsThem()
    {
        var cut = Render<ProblemView>(p => p.Add(v => v.Problem, new ProblemResponse
        {
            Status = 400,
            Errors = new Dictionary<string, string[]> { ["pageSize"] = ["Must be between 1 and 100."] },
        }));

        Assert.Contains("pageSize", cut.Find("ul.problem-errors").TextContent);
        Assert.Contains("Must be between 1 and 100.", cut.Markup);
    }
}
