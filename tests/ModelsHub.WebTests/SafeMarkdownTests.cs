using ModelsHub.Web.Components.UI;

namespace ModelsHub.WebTests;

public sealed class SafeMarkdownTests : WebTestContext
{
    [Fact]
    public void RendersMarkdownWithoutScriptsEventAttributesOrJavascriptLinks()
    {
        var cut = Render<MarkdownView>(p => p.Add(v => v.Markdown, """
            # Title

            <script>alert(1)</script>
            <img src="x.png" onerror="alert(2)">

            [bad](javascript:alert(3)) and [good](https://example.com/docs)

            | a | b |
            |---|---|
            | 1 | 2 |
            """));

        var html = cut.Markup;
        Assert.Contains("<h2", html);
        Assert.DoesNotContain("<h1", html);
        Assert.Contains("<table", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("bad", cut.FindAll("a").First().TextContent);
        var good = cut.Find("a[href='https://example.com/docs']");
        Assert.Equal("noopener noreferrer nofollow", good.GetAttribute("rel"));
        Assert.Equal("_blank", good.GetAttribute("target"));
    }
}
