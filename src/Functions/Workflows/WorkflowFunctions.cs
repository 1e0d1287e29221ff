using System.Text.Json;
using ModelsHub.Core.Workflows;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.Functions.Workflows;

/// <summary>
/// The Azure profile's queue trigger: the host hands over one Storage Queue message
/// (<c>Data.queueItem</c>, <c>Metadata.DequeueCount</c>) and deletes it when this answers 200.
/// The runner schedules its own retries, so a step's failure still answers 200.
/// </summary>
public sealed class WorkflowQueueFunction(WorkflowRunner runner) : IFunctionTrigger
{
    public string Name => "WorkflowQueue";

    public async Task<object?> InvokeAsync(InvocationRequest request, TriggerLog log, CancellationToken cancellationToken)
    {
        var item = request.Binding("queueItem");
        // The host passes a JSON message either as the string it was sent as or already parsed.
        var body = item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText();
        var id = WorkflowRunner.ParseMessage(body)
            ?? throw new TriggerPayloadException("Data.queueItem", "Expected a workflow message such as {\"workflowId\":\"...\"}.");
        var instance = await runner.AdvanceAsync(id, cancellationToken);
        log.Add($"Workflow {id} (dequeue {request.MetadataInt("DequeueCount")}) is {instance?.Status.ToString().ToLowerInvariant() ?? "unknown"} at {instance?.Step}.");
        return null;
    }
}

/// <summary>The stuck-workflow sweeper: a timer function that re-enqueues overdue instances.</summary>
public sealed class WorkflowSweeperJob(WorkflowRunner runner) : IScheduledJob
{
    public string Name => "WorkflowSweeper";

    public string ScheduleSetting => $"{WorkflowOptions.Section}:SweeperSchedule";

    public string DefaultSchedule => new WorkflowOptions().SweeperSchedule;

    public Task RunAsync(CancellationToken cancellationToken) => runner.SweepAsync(cancellationToken);
}
