using System.Globalization;
using Azure;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.AzureProfile;

/// <summary>
/// Azure Storage (blobs and queues alike) says "busy" the same way. The SDK has already retried by the
/// time a call fails, so what is still busy (429, 503 ServerBusy, 500 OperationTimedOut, 408, an account
/// over its ingress or egress limit) becomes Core's retryable outcome: 503 with the service's Retry-After.
/// </summary>
internal static class StorageOutcomes
{
    public static bool IsBusy(RequestFailedException ex) =>
        ex.Status is 429 or 503 or 408 || ex.ErrorCode is "ServerBusy" or "OperationTimedOut" or "IngressOverAccountLimit" or "EgressOverAccountLimit";

    /// <summary>Runs a storage call, turning a busy answer into <see cref="ServiceBusyException"/> named after <paramref name="service"/> and <paramref name="operation"/>.</summary>
    public static async Task<T> BusyAsync<T>(string service, string operation, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestFailedException ex) when (IsBusy(ex))
        {
            throw new ServiceBusyException($"{service} is busy ({operation}); try again shortly.", RetryAfter(ex), ex);
        }
    }

    public static Task BusyAsync(string service, string operation, Func<Task> call) =>
        BusyAsync(service, operation, async () =>
        {
            await call();
            return true;
        });

    private static TimeSpan? RetryAfter(RequestFailedException ex) =>
        ex.GetRawResponse() is { } response && response.Headers.TryGetValue("Retry-After", out var value)
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
}
