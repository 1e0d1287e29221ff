using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Downloads;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Problems;

namespace ModelsHub.Functions.Downloads;

/// <summary>
/// <c>GET /api/models/download?model_type=llm</c>: what a Xinference server's "Update" button
/// fetches. No sign-in needed; a token that may view advanced models also gets those entries.
/// </summary>
public static class DownloadApi
{
    private const string CacheSeconds = "60";

    public static RouteGroupBuilder MapDownloadApi(this RouteGroupBuilder api)
    {
        api.MapMethods("/models/download", [HttpMethods.Get, HttpMethods.Head], GetModelList)
            .WithName("DownloadModelList")
            .WithSummary("The model list of one type in the upstream Xinference file format (a bare JSON array), for Xinference's \"update models\".")
            .WithTags("Xinference")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem()
            .AllowAnonymous();
        return api;
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult>> GetModelList(
        HttpContext context, DownloadCatalog downloads, EncodedRepresentations encodings, CancellationToken cancellationToken)
    {
        var type = ParseType(context.Request.Query["model_type"].ToString());
        var caller = context.GetCaller();
        var audience = ModelAccess.ScopeFor(caller, DateTimeOffset.UtcNow).PublicTiers.Count == Enum.GetValues<ModelTier>().Length
            ? DownloadAudience.AllTiers
            : DownloadAudience.Standard;
        var document = await downloads.GetAsync(type, audience, cancellationToken);

        var encoding = Negotiate(context.Request.GetTypedHeaders().AcceptEncoding);
        var etag = encoding switch
        {
            EncodedRepresentations.Encoding.Gzip => document.ETag + "-gzip",
            EncodedRepresentations.Encoding.Brotli => document.ETag + "-br",
            _ => document.ETag,
        };
        var headers = context.Response.Headers;
        headers.ETag = Preconditions.Quote(etag);
        headers.CacheControl = (audience == DownloadAudience.Standard ? "public" : "private") + ", max-age=" + CacheSeconds;
        headers.Vary = "Accept-Encoding, Authorization";
        if (IfNoneMatchHits(context.Request, document.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        if (encoding != EncodedRepresentations.Encoding.Identity)
        {
            headers.ContentEncoding = encoding == EncodedRepresentations.Encoding.Gzip ? "gzip" : "br";
        }
        var key = $"{EnumNames<ModelType>.NameOf(type)}/{audience}";
        var bytes = encodings.Get(key, document.ETag, document.Json, encoding);
        return TypedResults.Bytes(bytes, "application/json; charset=utf-8");
    }

    private static ModelType ParseType(string text)
    {
        var supported = string.Join(", ", DownloadCatalog.Types.Select(EnumNames<ModelType>.NameOf));
        if (text.Length == 0)
        {
            throw new ValidationException("model_type", $"Is required; one of: {supported}.");
        }
        if (!EnumNames<ModelType>.TryParse(text, out var type) || !type.IsXinference())
        {
            throw new ValidationException("model_type", $"'{(text.Length <= 40 ? text : text[..40] + "…")}' is not a type Xinference downloads; one of: {supported}.");
        }
        return type;
    }

    /// <summary>
    /// The encoding the client prefers by its q-values (RFC 9110 §12.5.3): the highest q among br and
    /// gzip wins, brotli on a tie; q=0 refuses an encoding, <c>*</c> covers the ones not named; the
    /// plain bytes when nothing compressed is acceptable or identity is asked for with a higher q.
    /// </summary>
    public static EncodedRepresentations.Encoding Negotiate(IList<StringWithQualityHeaderValue> accepted)
    {
        double? Quality(string name)
        {
            var named = accepted.Where(a => a.Value.Equals(name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (named.Count > 0) return named.Max(a => a.Quality ?? 1);
            var any = accepted.Where(a => a.Value.Equals("*", StringComparison.Ordinal)).ToList();
            return any.Count > 0 ? any.Max(a => a.Quality ?? 1) : null;
        }
        var br = Quality("br") ?? 0;
        var gzip = Quality("gzip") ?? 0;
        var best = Math.Max(br, gzip);
        // Identity stays acceptable unless refused, but is preferred only when asked for above the rest.
        if (best <= 0 || (Quality("identity") is { } identity && identity > best))
        {
            return EncodedRepresentations.Encoding.Identity;
        }
        return br >= gzip ? EncodedRepresentations.Encoding.Brotli : EncodedRepresentations.Encoding.Gzip;
    }

    /// <summary>An ETag of any encoding of the current list version matches (the bytes decode to the same list).</summary>
    private static bool IfNoneMatchHits(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0 || !EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }
        return tags.Any(t =>
        {
            var value = t.Tag.ToString().Trim('"');
            return value == "*" || value == etag || value == etag + "-gzip" || value == etag + "-br";
        });
    }
}
