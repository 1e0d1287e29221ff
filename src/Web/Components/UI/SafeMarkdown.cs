using Ganss.Xss;
using Markdig;
using Markdig.Syntax;

namespace ModelsHub.Web.Components.UI;

/// <summary>
/// Markdown rendering's assemblies (Markdig, the sanitizer and its HTML parser) are left out of the app's start and
/// downloaded when a README is first shown. Kept apart from <see cref="SafeMarkdown"/>, whose static fields need them.
/// </summary>
public static class MarkdownAssemblies
{
    public static readonly string[] Files = ["Markdig.wasm", "HtmlSanitizer.wasm", "AngleSharp.wasm", "AngleSharp.Css.wasm", "System.Text.Encoding.CodePages.wasm"];

    private static Task? _loading;

    public static Task EnsureLoadedAsync(Microsoft.AspNetCore.Components.WebAssembly.Services.LazyAssemblyLoader loader) =>
        _loading ??= loader.LoadAssembliesAsync(Files);
}

/// <summary>Markdown to HTML that is safe to put in the page: whatever HTML the Markdown carries is sanitized.</summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables().UseEmphasisExtras().UseAutoLinks().UseTaskLists().UseAutoIdentifiers().Build();

    private static readonly Lazy<HtmlSanitizer> Sanitizer = new(() =>
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "http", "https", "mailto" })
        {
            sanitizer.AllowedSchemes.Add(scheme);
        }
        sanitizer.AllowedAttributes.Add("id");
        sanitizer.AllowedAttributes.Add("rel");
        sanitizer.AllowedAttributes.Add("target");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } link)
            {
                link.SetAttribute("rel", "noopener noreferrer nofollow");
                if (link.GetAttribute("href") is { } href && (href.StartsWith("http:", StringComparison.OrdinalIgnoreCase) || href.StartsWith("https:", StringComparison.OrdinalIgnoreCase)))
                {
                    link.SetAttribute("target", "_blank");
                }
            }
        };
        return sanitizer;
    });

    public static string ToHtml(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return "";
        }
        var document = Markdig.Markdown.Parse(markdown, Pipeline);
        // The page's own heading is the h1; a README's headings sit one level below it.
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            heading.Level = Math.Min(6, heading.Level + 1);
        }
        return Sanitizer.Value.Sanitize(document.ToHtml(Pipeline));
    }
}
