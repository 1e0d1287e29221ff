using System.Globalization;

namespace ModelsHub.Infrastructure.AiProviders;

/// <summary>
/// What the provider's last HTTP response said that the SDKs' exceptions do not carry (Anthropic's
/// has no headers): its status and <c>Retry-After</c>. A call opens a <see cref="Scope"/>; the
/// handler on the shared HttpClient fills it from the same async flow.
/// </summary>
internal sealed class ProviderResponses : DelegatingHandler
{
    private static readonly AsyncLocal<Observation?> Current = new();

    public sealed class Observation
    {
        public int? Status { get; set; }

        public TimeSpan? RetryAfter { get; set; }
    }

    /// <summary>Starts observing the responses of the calls made from here on in this async flow.</summary>
    public static Observation Scope() => Current.Value = new Observation();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Current.Value is { } observation)
        {
            observation.Status = (int)response.StatusCode;
            observation.RetryAfter = RetryAfter(response);
        }
        return response;
    }

    /// <summary><c>Retry-After</c> (seconds or a date), or OpenAI's <c>retry-after-ms</c>.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }
        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
    }
}
