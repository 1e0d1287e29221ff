using Microsoft.Net.Http.Headers;

namespace ModelsHub.Functions.Problems;

/// <summary>ETag headers: strong, quoted, compared exactly.</summary>
public static class Preconditions
{
    public static string Quote(string etag) => $"\"{etag}\"";

    public static void SetETag(HttpResponse response, string? etag)
    {
        if (etag is not null)
        {
            response.Headers.ETag = Quote(etag);
        }
    }

    /// <summary>The unquoted ETag from <c>If-Match</c>, <c>*</c> for "whatever is current", or null when absent.</summary>
    public static string? IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        if (header.Trim() == "*")
        {
            return "*";
        }
        return EntityTagHeaderValue.TryParse(header.Split(',')[0].Trim(), out var tag) && !tag.IsWeak
            ? tag.Tag.ToString().Trim('"')
            : "\u0000invalid";
    }

    public static bool MatchesIfNoneMatch(HttpRequest request, string? etag)
    {
        if (etag is null) return false;
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0) return false;
        if (EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return tags.Any(t => t.Tag == "*" || t.Tag.ToString().Trim('"') == etag);
        }
        return false;
    }
}
