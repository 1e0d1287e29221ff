namespace ModelsHub.Contracts.Webhooks;

/// <summary>Where a delivery stands: still being tried, received (a 2xx answer), or given up on.</summary>
public enum DeliveryStatus
{
    Pending,
    Succeeded,
    Failed,
}
