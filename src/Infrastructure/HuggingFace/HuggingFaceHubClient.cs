using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Imports;

namespace ModelsHub.Infrastructure.HuggingFace;

/// <summary>
/// The Hugging Face Hub's HTTP API through <see cref="HttpClient"/>, as huggingface_hub speaks it:
/// <c>/api/models/{repo}/revision/{rev}?blobs=true</c>, <c>/{repo}/resolve/{commit}/{path}</c> with
/// <c>Range</c>, <c>/api/whoami-v2</c>. Redirects are followed here, not by the handler: a redirect on the
/// Hub's own origin (a renamed repository) keeps the token, one to another origin (the CDN behind an
/// LFS file) goes without it, so the token never leaves the Hub. Errors become
/// <see cref="HuggingFaceException"/>s from the Hub's <c>X-Error-Code</c> and <c>X-Error-Message</c>.
/// </summary>
public sealed class HuggingFaceHubClient(HttpClient http, IOptions<HuggingFaceOptions> options) : IHuggingFaceHub
{
    private const int MaxRedirects = 10;
    private const int MaxInfoBytes = 64 << 20;

    private Uri Endpoint => options.Value.EndpointUri;

    private TimeSpan Timeout => options.Value.Timeout;

    public async Task<HuggingFaceModel> GetModelAsync(string repoId, string revision, string? token, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(cancellationToken);
        var url = new Uri(Endpoint, $"api/models/{EscapePath(repoId)}/revision/{Uri.EscapeDataString(revision)}?blobs=true");
        using var exchange = await SendAsync(HttpMethod.Get, url, token, 0, followToOtherOrigins: false, timeout.Token, cancellationToken);
        var response = exchange.Response;
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorOfAsync(response, $"model {repoId} at {revision}");
        }
        JsonDocument document;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            document = await JsonDocument.ParseAsync(new LimitedStream(body, MaxInfoBytes), default, timeout.Token);
        }
        catch (JsonException ex)
        {
            throw new HuggingFaceException(HuggingFaceError.BadResponse, $"The Hub's model info for {repoId} is not JSON ({ex.Message}).", (int)response.StatusCode, ex);
        }
        catch (Exception ex) when (IsTransport(ex, cancellationToken))
        {
            throw Unavailable($"reading the model info of {repoId}", ex);
        }
        using (document)
        {
            return ParseModel(document.RootElement, repoId);
        }
    }

    public async Task<HuggingFaceDownload> OpenFileAsync(string repoId, string commit, string path, long offset, string? token, CancellationToken cancellationToken)
    {
        var url = ResolveUrl(repoId, commit, path);
        using var headers = Deadline(cancellationToken);
        var exchange = await SendAsync(HttpMethod.Get, url, token, offset, followToOtherOrigins: true, headers.Token, cancellationToken);
        try
        {
            var response = exchange.Response;
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorOfAsync(response, $"{path} of {repoId} at {commit}");
            }
            var contentRange = response.Content.Headers.ContentRange;
            long start;
            long total;
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                if (contentRange is not { HasRange: true, From: { } from, HasLength: true, Length: { } length } || from != offset)
                {
                    throw new HuggingFaceException(HuggingFaceError.BadResponse,
                        $"The Hub answered bytes {contentRange?.From}-{contentRange?.To} of {path} when asked for {offset}-; nothing was stored from it.", 206);
                }
                (start, total) = (from, length);
            }
            else
            {
                // A server that ignores Range sends the whole file: the bytes before the offset are skipped, not stored twice.
                total = response.Content.Headers.ContentLength ?? throw new HuggingFaceException(HuggingFaceError.BadResponse,
                    $"The Hub sent {path} without a Content-Length; its size cannot be checked.", (int)response.StatusCode);
                start = 0;
            }
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            Stream content = new IdleTimeoutStream(body, Timeout);
            if (start < offset)
            {
                await SkipAsync(content, offset - start, cancellationToken);
            }
            var download = new HuggingFaceDownload(content, offset, total, exchange.Commit, exchange.ETag, exchange);
            exchange = null!;
            return download;
        }
        finally
        {
            exchange?.Dispose();
        }
    }

    public async Task<HuggingFaceFileProbe> ProbeFileAsync(string repoId, string revision, string path, string? token, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(cancellationToken);
        using var exchange = await SendAsync(HttpMethod.Head, ResolveUrl(repoId, revision, path), token, 0, followToOtherOrigins: false, timeout.Token, cancellationToken);
        var response = exchange.Response;
        var status = (int)response.StatusCode;
        if (status is < 200 or >= 400)
        {
            throw await ErrorOfAsync(response, $"{path} of {repoId} at {revision}");
        }
        var size = long.TryParse(Header(response, "X-Linked-Size"), out var linked) ? linked
            : status < 300 ? response.Content.Headers.ContentLength : null;
        return new HuggingFaceFileProbe(exchange.Commit, exchange.ETag, size);
    }

    public async Task<HuggingFaceAccount> WhoAmIAsync(string token, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(cancellationToken);
        using var exchange = await SendAsync(HttpMethod.Get, new Uri(Endpoint, "api/whoami-v2"), token, 0, followToOtherOrigins: false, timeout.Token, cancellationToken);
        var response = exchange.Response;
        if (!response.IsSuccessStatusCode)
        {
            var error = await ErrorOfAsync(response, "the token's account");
            // whoami answers 401 for a token it does not know, whatever the message.
            throw response.StatusCode == HttpStatusCode.Unauthorized ? new HuggingFaceException(HuggingFaceError.TokenRejected, error.Message, 401) : error;
        }
        try
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), default, timeout.Token);
            var root = document.RootElement;
            var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw new JsonException("no name");
            var role = root.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.Object
                && auth.TryGetProperty("accessToken", out var access) && access.ValueKind == JsonValueKind.Object
                && access.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            return new HuggingFaceAccount(name, role);
        }
        catch (JsonException ex)
        {
            throw new HuggingFaceException(HuggingFaceError.BadResponse, $"The Hub's whoami-v2 answer is not the account JSON ({ex.Message}).", 200, ex);
        }
        catch (Exception ex) when (IsTransport(ex, cancellationToken))
        {
            throw Unavailable("reading the token's account", ex);
        }
    }

    // ---- HTTP ----------------------------------------------------------------------------------

    /// <summary>A response and what the Hub's own answer said before any redirect to the CDN.</summary>
    private sealed class Exchange(HttpResponseMessage response, string? commit, string? etag) : IDisposable
    {
        public HttpResponseMessage Response { get; } = response;

        public string? Commit { get; } = commit;

        public string? ETag { get; } = etag;

        public void Dispose() => Response.Dispose();
    }

    private async Task<Exchange> SendAsync(HttpMethod method, Uri url, string? token, long offset, bool followToOtherOrigins,
        CancellationToken headersToken, CancellationToken callerToken)
    {
        string? commit = null, etag = null;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, url);
            var onHub = SameOrigin(url, Endpoint);
            if (token is not null && onHub)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            if (offset > 0)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
            }
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersToken);
            }
            catch (Exception ex) when (IsTransport(ex, callerToken))
            {
                throw Unavailable($"{method} {Describe(url)}", ex);
            }
            if (onHub)
            {
                commit ??= Header(response, "X-Repo-Commit");
                etag ??= Unquote(Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.Tag);
            }
            var status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                if ((!followToOtherOrigins && !SameOrigin(next, Endpoint)) || method == HttpMethod.Head && !SameOrigin(next, Endpoint))
                {
                    return new Exchange(response, commit, etag);
                }
                response.Dispose();
                if (hop >= MaxRedirects)
                {
                    throw new HuggingFaceException(HuggingFaceError.BadResponse, $"More than {MaxRedirects} redirects for {Describe(url)}.", status);
                }
                if (next.Scheme != Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttp)
                {
                    throw new HuggingFaceException(HuggingFaceError.BadResponse, $"The Hub redirected to a {next.Scheme} address.", status);
                }
                url = next;
                continue;
            }
            return new Exchange(response, commit, etag);
        }
    }

    private async Task<HuggingFaceException> ErrorOfAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        var fromHub = response.RequestMessage?.RequestUri is { } answered && SameOrigin(answered, Endpoint);
        var code = Header(response, "X-Error-Code");
        var message = Header(response, "X-Error-Message");
        if (message is null)
        {
            try
            {
                var text = await response.Content.ReadAsStringAsync();
                if (text.Length is > 0 and < 64 * 1024 && text.TrimStart().StartsWith('{'))
                {
                    using var document = JsonDocument.Parse(text);
                    if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
                    {
                        message = error.GetString();
                    }
                }
            }
            catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException or OperationCanceledException)
            {
            }
        }
        message = string.IsNullOrWhiteSpace(message) ? $"{status} {response.ReasonPhrase}" : message.Trim().TrimEnd('.');
        var kind = code switch
        {
            "GatedRepo" => HuggingFaceError.Gated,
            "RepoNotFound" => HuggingFaceError.RepoNotFound,
            "RevisionNotFound" => HuggingFaceError.RevisionNotFound,
            "EntryNotFound" => HuggingFaceError.EntryNotFound,
            _ when message.StartsWith("Invalid credentials", StringComparison.OrdinalIgnoreCase) => HuggingFaceError.TokenRejected,
            _ when status is 408 or 429 or >= 500 => HuggingFaceError.Unavailable,
            // The CDN refusing a signed URL (expired) is not the Hub's verdict on the repository: resolving again gets a fresh one.
            _ when !fromHub => HuggingFaceError.Unavailable,
            // Without a code the Hub answers 401 or 404 for a repository it will not show (missing, or private).
            _ when status is 401 or 404 => HuggingFaceError.RepoNotFound,
            _ when status == 403 => HuggingFaceError.Forbidden,
            _ => HuggingFaceError.BadResponse,
        };
        return new HuggingFaceException(kind, $"{message} ({status}, {what})", status);
    }

    private static HuggingFaceModel ParseModel(JsonElement root, string asked)
    {
        string Text(string property) =>
            root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Bad($"no {property}");
        string? Optional(string property) =>
            root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        HuggingFaceException Bad(string why) => new(HuggingFaceError.BadResponse, $"The Hub's model info for {asked} is not what huggingface_hub reads: {why}.", 200);

        var id = Text("id");
        var sha = Text("sha");
        if (sha.Length != 40 || !sha.All(Uri.IsHexDigit))
        {
            throw Bad($"sha '{sha}' is not a commit id");
        }
        var gated = root.TryGetProperty("gated", out var g) ? g.ValueKind switch
        {
            JsonValueKind.String => g.GetString(),
            JsonValueKind.True => "auto",
            _ => null,
        } : null;
        var isPrivate = root.TryGetProperty("private", out var p) && p.ValueKind == JsonValueKind.True;
        var tags = root.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array
            ? t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : [];
        JsonElement? card = root.TryGetProperty("cardData", out var c) && c.ValueKind == JsonValueKind.Object ? c.Clone() : null;
        if (!root.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array)
        {
            throw Bad("no siblings");
        }
        var files = new List<HuggingFaceFile>();
        foreach (var sibling in siblings.EnumerateArray())
        {
            if (!sibling.TryGetProperty("rfilename", out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw Bad("a sibling without rfilename");
            }
            if (!sibling.TryGetProperty("size", out var size) || !size.TryGetInt64(out var bytes) || bytes < 0)
            {
                throw Bad($"no size for {name.GetString()} (the endpoint ignored blobs=true)");
            }
            string? lfsSha = null;
            if (sibling.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object)
            {
                lfsSha = lfs.TryGetProperty("sha256", out var s) && s.ValueKind == JsonValueKind.String && s.GetString()!.Length == 64 && s.GetString()!.All(Uri.IsHexDigit)
                    ? s.GetString()!.ToLowerInvariant()
                    : throw Bad($"no lfs.sha256 for {name.GetString()}");
            }
            var blobId = sibling.TryGetProperty("blobId", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
            files.Add(new HuggingFaceFile(name.GetString()!, bytes, blobId, lfsSha));
        }
        return new HuggingFaceModel(id, sha.ToLowerInvariant(), Optional("pipeline_tag"), Optional("library_name"), gated, isPrivate, tags, card, files);
    }

    private Uri ResolveUrl(string repoId, string revision, string path) =>
        new(Endpoint, $"{EscapePath(repoId)}/resolve/{Uri.EscapeDataString(revision)}/{EscapePath(path)}");

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private CancellationTokenSource Deadline(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(Timeout);
        return source;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    private static string? Unquote(string? etag)
    {
        if (etag is null) return null;
        if (etag.StartsWith("W/", StringComparison.Ordinal)) etag = etag[2..];
        return etag.Trim('"');
    }

    private static string Describe(Uri url) => url.GetLeftPart(UriPartial.Path);

    private static bool IsTransport(Exception ex, CancellationToken callerToken) =>
        ex is HttpRequestException or IOException || (ex is OperationCanceledException && !callerToken.IsCancellationRequested);

    private HuggingFaceException Unavailable(string what, Exception ex) =>
        new(HuggingFaceError.Unavailable,
            ex is OperationCanceledException
                ? $"The Hugging Face Hub at {Endpoint} did not answer within {Timeout.TotalSeconds:0} s ({what})"
                : $"The Hugging Face Hub at {Endpoint} could not be reached ({what}: {ex.Message})",
            null, ex);

    private static async Task SkipAsync(Stream content, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0) throw new HuggingFaceException(HuggingFaceError.BadResponse, "The Hub's answer ended before the requested offset.");
            count -= read;
        }
    }
}
