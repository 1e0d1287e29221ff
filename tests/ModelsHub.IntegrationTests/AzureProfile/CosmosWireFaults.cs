using System.Net;
using System.Text;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>
/// Answers a cross-partition lookup by id with empty pages and a continuation before letting it
/// through, as an account with many physical partitions does: each partition without the item
/// answers an empty page.
/// </summary>
public sealed class EmptyPagesFirstHandler(int emptyPages) : DelegatingHandler
{
    private const string Fake = "empty-page-";

    public int EmptyPagesServed;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!IsQuery(request) || request.Content is null)
        {
            return await base.SendAsync(request, cancellationToken);
        }
        var body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var copy = new ByteArrayContent(body);
        foreach (var header in request.Content.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        request.Content = copy;
        if (!Encoding.UTF8.GetString(body).Contains("c.id = @id", StringComparison.Ordinal))
        {
            return await base.SendAsync(request, cancellationToken);
        }
        var served = 0;
        if (request.Headers.TryGetValues("x-ms-continuation", out var tokens) && tokens.FirstOrDefault() is { } token && token.StartsWith(Fake, StringComparison.Ordinal))
        {
            served = int.Parse(token[Fake.Length..], System.Globalization.CultureInfo.InvariantCulture);
            request.Headers.Remove("x-ms-continuation");
        }
        if (served >= emptyPages)
        {
            return await base.SendAsync(request, cancellationToken);
        }
        Interlocked.Increment(ref EmptyPagesServed);
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            RequestMessage = request,
            Content = new StringContent("""{"_rid":"AAAAAA==","Documents":[],"_count":0}""", Encoding.UTF8, "application/json"),
        };
        response.Headers.TryAddWithoutValidation("x-ms-continuation", Fake + (served + 1));
        response.Headers.TryAddWithoutValidation("x-ms-item-count", "0");
        response.Headers.TryAddWithoutValidation("x-ms-request-charge", "1");
        response.Headers.TryAddWithoutValidation("x-ms-activity-id", Guid.NewGuid().ToString());
        return response;
    }

    private static bool IsQuery(HttpRequestMessage request) =>
        request.Method == HttpMethod.Post
        && request.Headers.TryGetValues("x-ms-documentdb-isquery", out var q) && q.Any(v => v.Equals("true", StringComparison.OrdinalIgnoreCase))
        && !(request.Headers.TryGetValues("x-ms-cosmos-is-query-plan-request", out var plan) && plan.Any(v => v.Equals("true", StringComparison.OrdinalIgnoreCase)));
}

/// <summary>While enabled, answers document writes (create, replace, upsert) with a status, as Cosmos answers 413 to an item over 2 MB.</summary>
public sealed class FailingWritesHandler(HttpStatusCode status, string code) : DelegatingHandler
{
    public volatile bool Enabled;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var isQuery = request.Headers.Contains("x-ms-documentdb-isquery") || request.Headers.Contains("x-ms-cosmos-is-query-plan-request");
        var isWrite = request.Method == HttpMethod.Post || request.Method == HttpMethod.Put;
        if (!Enabled || isQuery || !isWrite || !request.RequestUri!.AbsolutePath.Contains("/docs", StringComparison.Ordinal))
        {
            return base.SendAsync(request, cancellationToken);
        }
        var response = new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new StringContent($$"""{"code":"{{code}}","message":"Request size is too large."}""", Encoding.UTF8, "application/json"),
        };
        response.Headers.TryAddWithoutValidation("x-ms-activity-id", Guid.NewGuid().ToString());
        return Task.FromResult(response);
    }
}
