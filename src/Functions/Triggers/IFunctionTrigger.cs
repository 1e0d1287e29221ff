namespace ModelsHub.Functions.Triggers;

/// <summary>
/// A non-HTTP function of the Functions app (queue, Event Grid). The host invokes it as
/// <c>POST /{Name}</c>; its <c>FunctionsHost/{Name}/function.json</c> declares the binding.
/// </summary>
public interface IFunctionTrigger
{
    string Name { get; }

    /// <summary>Handles one invocation; throws <see cref="TriggerPayloadException"/> for a malformed payload.</summary>
    Task<object?> InvokeAsync(InvocationRequest request, TriggerLog log, CancellationToken cancellationToken);
}

/// <summary>
/// A timer function: run by the host's timer trigger (POST /{Name}) under Azure Functions, and by
/// an in-process scheduler when the server runs on its own.
/// </summary>
public interface IScheduledJob
{
    string Name { get; }

    /// <summary>The configuration key holding the six-field NCRONTAB schedule (also used by function.json as %key%).</summary>
    string ScheduleSetting { get; }

    string DefaultSchedule { get; }

    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Runs the job and gives what the host's invocation returns (<c>ReturnValue</c>): nothing, unless the job reports figures.</summary>
    async Task<object?> RunForResultAsync(CancellationToken cancellationToken)
    {
        await RunAsync(cancellationToken);
        return null;
    }
}
