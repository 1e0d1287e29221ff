namespace ModelsHub.Core.Imports;

/// <summary>A repository's <c>README.md</c> as the hub keeps it: the model card without its YAML header (the Hub shows that as metadata, in <c>cardData</c>).</summary>
public static class ModelCard
{
    public static string BodyOf(string readme)
    {
        var text = readme.StartsWith('\uFEFF') ? readme[1..] : readme;
        if (!text.StartsWith("---", StringComparison.Ordinal))
        {
            return text;
        }
        var firstBreak = text.IndexOf('\n', StringComparison.Ordinal);
        if (firstBreak < 0 || text[..firstBreak].Trim() != "---")
        {
            return text;
        }
        var at = firstBreak + 1;
        while (at < text.Length)
        {
            var next = text.IndexOf('\n', at);
            var line = (next < 0 ? text[at..] : text[at..next]).TrimEnd('\r');
            if (line.Trim() == "---")
            {
                return next < 0 ? "" : text[(next + 1)..].TrimStart('\r', '\n');
            }
            if (next < 0) break;
            at = next + 1;
        }
        // An unclosed header is not a header: keep the text as it is.
        return text;
    }
}
