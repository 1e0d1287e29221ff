using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Webhooks;

namespace ModelsHub.Infrastructure.Webhooks;

/// <summary>The system's DNS.</summary>
public sealed class DnsAddressResolver : IAddressResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>
/// POSTs webhook messages. The connection is made by the handler's connect callback to an address it
/// resolved and checked itself (<see cref="WebhookTargets.IsPublic"/>), so a name that resolves to a
/// private address at send time (DNS rebinding) is refused, not just one written in the URL. No proxy
/// (it would connect in our stead) and no redirects (a 3xx could point anywhere): a 3xx is a failure.
/// </summary>
public sealed class HttpWebhookSender : IWebhookSender, IDisposable
{
    private const int MaxBodyRead = 4096;

    private readonly HttpClient _http;
    private readonly IAddressResolver _resolver;
    private readonly IOptions<WebhookOptions> _options;

    public HttpWebhookSender(IAddressResolver resolver, IOptions<WebhookOptions> options)
    {
        _resolver = resolver;
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectTimeout = options.Value.Timeout,
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("ModelsHub-Webhooks/1.0");
    }

    public async Task<WebhookResponse> SendAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Value.Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, message.Url) { Content = new ReadOnlyMemoryContent(message.Body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", message.ContentType);
            foreach (var (name, value) in message.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var body = await ReadStartAsync(response, timeout.Token);
            return new WebhookResponse((int)response.StatusCode, clock.Elapsed, null, body);
        }
        catch (HttpRequestException ex) when (Refusal(ex) is { } refused)
        {
            return new WebhookResponse(null, clock.Elapsed, refused.Message, null, Refused: true);
        }
        catch (HttpRequestException ex)
        {
            return new WebhookResponse(null, clock.Elapsed, $"The receiver could not be reached: {ex.Message}", null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookResponse(null, clock.Elapsed, $"The receiver did not answer within {_options.Value.Timeout.TotalSeconds:0.#} s.", null);
        }
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await _resolver.ResolveAsync(host, cancellationToken);
        if (!_options.Value.AllowPrivateTargets && WebhookTargets.CheckAddresses(host, addresses) is { } problem)
        {
            throw new WebhookTargetRefusedException(problem);
        }
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static async Task<string?> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBodyRead];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n and > 0)
        {
            read += n;
        }
        return read == 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static WebhookTargetRefusedException? Refusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is WebhookTargetRefusedException refused) return refused;
        }
        return null;
    }

    public void Dispose() => _http.Dispose();
}

public static class WebhookSenderServiceExtensions
{
    /// <summary>The webhook sender and its settings (same for both storage profiles).</summary>
    public static IServiceCollection AddHubWebhookSender(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.AddSingleton<IAddressResolver, DnsAddressResolver>();
        services.AddSingleton<IWebhookSender, HttpWebhookSender>();
        return services;
    }
}

internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions o)
    {
        var failures = new List<string>();
        var s = WebhookOptions.Section;
        if (o.MaxAttempts is < 1 or > 50) failures.Add($"{s}:MaxAttempts must be 1 to 50 (it is {o.MaxAttempts}).");
        if (o.RetryDelay <= TimeSpan.Zero) failures.Add($"{s}:RetryDelay must be positive (it is {o.RetryDelay}).");
        if (o.MaxRetryDelay < o.RetryDelay) failures.Add($"{s}:MaxRetryDelay must be at least {s}:RetryDelay (it is {o.MaxRetryDelay}).");
        if (o.Timeout < TimeSpan.FromMilliseconds(100) || o.Timeout > TimeSpan.FromMinutes(2)) failures.Add($"{s}:Timeout must be 00:00:00.1 to 00:02:00 (it is {o.Timeout}).");
        if (o.DisableAfterFailures is < 1 or > 1000) failures.Add($"{s}:DisableAfterFailures must be 1 to 1000 (it is {o.DisableAfterFailures}).");
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
