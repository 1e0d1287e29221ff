using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Pages of a query with the SDK's continuation token wrapped in the hub's own: the wrapper
/// carries a fingerprint of the query, so a token from another listing, a tampered one or
/// garbage is a 400 on <c>continuationToken</c> (as in the embedded profile) rather than an SDK
/// error or a wrong page.
/// </summary>
internal static class CosmosPaging
{
    /// <summary>
    /// Round trips one page may take to fill up; Cosmos may return short pages with a continuation.
    /// A page cut short here still carries the continuation, so listings stay complete; lookups that
    /// must not stop early use <see cref="FindOneAsync"/>.
    /// </summary>
    private const int MaxRoundTrips = 4;

    private const int MaxTokenLength = 4096;

    private const char Separator = '\n';

    public static string Encode(string fingerprint, string sdkToken) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(fingerprint + Separator + Check(fingerprint, sdkToken) + Separator + sdkToken));

    /// <summary>The SDK token inside a hub token issued for <paramref name="fingerprint"/>; null for the first page.</summary>
    public static string? Decode(string? token, string fingerprint)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        string? text = null;
        try
        {
            text = token.Length <= MaxTokenLength ? Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)) : null;
        }
        catch (FormatException)
        {
        }
        var parts = text?.Split(Separator, 3);
        // The check catches a token cut or edited in transit before the SDK parses it.
        if (parts is not { Length: 3 } || parts[0] != fingerprint || parts[2].Length == 0 || parts[1] != Check(fingerprint, parts[2]))
        {
            throw BadToken();
        }
        return parts[2];
    }

    private static string Check(string fingerprint, string sdkToken) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint + Separator + sdkToken)), 0, 6);

    /// <summary>
    /// One page of up to <paramref name="pageSize"/> rows: usually one round trip, a few more only
    /// when Cosmos hands back a short page with a continuation.
    /// </summary>
    public static async Task<Page<T>> ReadPageAsync<TRow, T>(Container container, QueryDefinition query, string fingerprint,
        string? continuationToken, int pageSize, Func<TRow, T> map, PartitionKey? partitionKey, CancellationToken cancellationToken)
    {
        var sdkToken = Decode(continuationToken, fingerprint);
        var items = new List<T>(pageSize);
        var roundTrips = 0;
        do
        {
            var options = new QueryRequestOptions
            {
                MaxItemCount = pageSize - items.Count,
                // Known partition: a single-partition query, which the SDK runs without asking for a plan.
                PartitionKey = partitionKey,
                // Keeps the hub's token short enough for a query string.
                ResponseContinuationTokenLimitInKb = 1,
            };
            FeedResponse<TRow> response;
            try
            {
                using var iterator = container.GetItemQueryIterator<TRow>(query, sdkToken, options);
                response = await iterator.ReadNextAsync(cancellationToken);
            }
            catch (Exception ex) when (sdkToken is not null && roundTrips == 0 && IsRejectedToken(ex))
            {
                throw BadToken();
            }
            catch (CosmosException ex) when (CosmosOutcomes.IsBusy(ex.StatusCode))
            {
                throw CosmosOutcomes.Busy("query " + container.Id, CosmosOutcomes.RetryAfter(ex), ex);
            }
            foreach (var row in response)
            {
                items.Add(map(row));
            }
            sdkToken = response.ContinuationToken;
        }
        while (items.Count < pageSize && sdkToken is not null && ++roundTrips < MaxRoundTrips);
        return new Page<T>(items, sdkToken is null ? null : Encode(fingerprint, sdkToken));
    }

    /// <summary>
    /// The first row of a query that matches at most one (a filter on id), following the
    /// continuation until a row comes or the query is exhausted: a cross-partition query on an
    /// account with many physical partitions may answer with any number of empty pages first.
    /// </summary>
    public static async Task<T?> FindOneAsync<TRow, T>(Container container, QueryDefinition query, Func<TRow, T> map, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var iterator = container.GetItemQueryIterator<TRow>(query, null, new QueryRequestOptions { MaxItemCount = 1 });
            while (iterator.HasMoreResults)
            {
                foreach (var row in await iterator.ReadNextAsync(cancellationToken))
                {
                    return map(row);
                }
            }
            return null;
        }
        catch (CosmosException ex) when (CosmosOutcomes.IsBusy(ex.StatusCode))
        {
            throw CosmosOutcomes.Busy("find in " + container.Id, CosmosOutcomes.RetryAfter(ex), ex);
        }
    }

    /// <summary>Every row of a query, a bounded page per round trip, however many round trips it takes.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(Container container, QueryDefinition query, PartitionKey? partitionKey, CancellationToken cancellationToken)
    {
        try
        {
            var rows = new List<T>();
            using var iterator = container.GetItemQueryIterator<T>(query, null, new QueryRequestOptions { MaxItemCount = Paging.MaxPageSize, PartitionKey = partitionKey });
            while (iterator.HasMoreResults)
            {
                rows.AddRange(await iterator.ReadNextAsync(cancellationToken));
            }
            return rows;
        }
        catch (CosmosException ex) when (CosmosOutcomes.IsBusy(ex.StatusCode))
        {
            throw CosmosOutcomes.Busy("query " + container.Id, CosmosOutcomes.RetryAfter(ex), ex);
        }
    }

    /// <summary>Every page of a small aggregate query (a COUNT is one value; summing covers partial results).</summary>
    public static async Task<long> SumAsync(Container container, QueryDefinition query, CancellationToken cancellationToken)
    {
        try
        {
            long total = 0;
            using var iterator = container.GetItemQueryIterator<long>(query);
            while (iterator.HasMoreResults)
            {
                foreach (var value in await iterator.ReadNextAsync(cancellationToken))
                {
                    total += value;
                }
            }
            return total;
        }
        catch (CosmosException ex) when (CosmosOutcomes.IsBusy(ex.StatusCode))
        {
            throw CosmosOutcomes.Busy("count " + container.Id, CosmosOutcomes.RetryAfter(ex), ex);
        }
    }

    private static bool IsRejectedToken(Exception ex) =>
        ex is CosmosException { StatusCode: HttpStatusCode.BadRequest } or ArgumentException or FormatException or Newtonsoft.Json.JsonException;

    private static ValidationException BadToken() =>
        new("continuationToken", "Is not a token this listing issued; start again without it.");
}
