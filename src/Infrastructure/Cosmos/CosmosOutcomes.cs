using System.Net;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>Where Cosmos status codes become Core's outcomes, and Cosmos ETags the hub's opaque ones.</summary>
internal static class CosmosOutcomes
{
    /// <summary>Cosmos ETags carry their own quotes; the hub's are bare (the HTTP layer quotes them).</summary>
    public static string? FromCosmosETag(string? etag) => etag?.Trim('"');

    public static string ToCosmosETag(string etag) => "\"" + etag + "\"";

    /// <summary>
    /// An If-Match value that could be a Cosmos ETag. Anything else (a client's garbage) cannot
    /// match and must not reach a request header.
    /// </summary>
    public static bool IsPlausibleETag(string etag) =>
        etag.Length is > 0 and <= 128 && etag.All(c => c is > ' ' and < '\u007f' and not '"' and not '\\');

    /// <summary>
    /// Ids Cosmos accepts: no / \ ? #, at most 255 characters. Names and user ids the hub issues
    /// fit; an id that does not cannot have been stored.
    /// </summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 255 && id.IndexOfAny(['/', '\\', '?', '#']) < 0 && !id.EndsWith(' ');

    public static bool IsBusy(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout;

    /// <summary>The outcome for a status the operation does not expect: busy becomes retryable, the rest a failure.</summary>
    public static Exception Unexpected(ResponseMessage response, string operation)
    {
        if (IsBusy(response.StatusCode))
        {
            return Busy(operation, RetryAfter(response), null);
        }
        if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            return TooLarge(operation);
        }
        try
        {
            response.EnsureSuccessStatusCode();
        }
        catch (CosmosException ex)
        {
            return ex;
        }
        return new InvalidOperationException($"Cosmos answered {(int)response.StatusCode} to {operation}.");
    }

    /// <summary>How long Cosmos asked the caller to wait (<c>x-ms-retry-after-ms</c>), if it said.</summary>
    public static TimeSpan? RetryAfter(ResponseMessage response) => RetryAfter(response.Headers);

    public static TimeSpan? RetryAfter(CosmosException exception) => exception.RetryAfter ?? RetryAfter(exception.Headers);

    private static TimeSpan? RetryAfter(Headers? headers) =>
        double.TryParse(headers?["x-ms-retry-after-ms"], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    /// <summary>Cosmos refuses an item over 2 MB (413): the document, with its query fields, does not fit.</summary>
    public static PayloadTooLargeException TooLarge(string operation) =>
        new($"The document is too large to store ({operation}): Cosmos DB keeps items of at most 2 MB; shorten the README, the spec or the notes.");

    public static ServiceBusyException Busy(string operation, TimeSpan? retryAfter, Exception? inner) =>
        new($"Cosmos DB is busy ({operation}); retry after {(retryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds:0.#} s.", retryAfter, inner);
}
