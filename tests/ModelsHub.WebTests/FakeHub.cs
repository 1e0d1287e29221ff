using System.Net;
using System.Text;

namespace ModelsHub.WebTests;

/// <summary>
/// The hub's HTTP answers for component tests: a JSON body (or problem) per method and path prefix, and every
/// request the component sent, in order, so a test can see what it asked for.
/// </summary>
public sealed class FakeHub : HttpMessageHandler
{
    private readonly List<(HttpMethod Method, string Path, Func<HttpRequestMessage, HttpResponseMessage> Answer)> _routes = [];

    public List<(HttpMethod Method, string PathAndQuery, string? Body)> Requests { get; } = [];

    public FakeHub On(HttpMethod method, string path, HttpStatusCode status, string json, string contentType = "application/json")
    {
        _routes.Add((method, path, _ => new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, contentType) }));
        return this;
    }

    public FakeHub On(HttpMethod method, string path, Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        _routes.Add((method, path, answer));
        return this;
    }

    public FakeHub Problem(HttpMethod method, string path, HttpStatusCode status, string json) =>
        On(method, path, status, json, "application/problem+json");

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var pathAndQuery = request.RequestUri!.PathAndQuery;
        lock (Requests) Requests.Add((request.Method, pathAndQuery, body));
        // The most specific route wins: the longest matching path prefix.
        var route = _routes.Where(r => r.Method == request.Method && pathAndQuery.StartsWith(r.Path, StringComparison.Ordinal))
            .OrderByDescending(r => r.Path.Length).FirstOrDefault();
        return route.Answer is null
            ? new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("""{"status":404,"title":"Not Found"}""", Encoding.UTF8, "application/problem+json") }
            : route.Answer(request);
    }
}
