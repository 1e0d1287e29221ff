using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ModelsHub.Infrastructure.AzureProfile;

namespace ModelsHub.Infrastructure.StorageQueues;

/// <summary>Settings of the Storage Queue work queue (section <c>Storage:Azure:Queues</c>).</summary>
public sealed class StorageQueueOptions
{
    public const string Section = "Storage:Azure:Queues";

    /// <summary><c>https://&lt;account&gt;.queue.core.windows.net</c>; the managed identity signs in.</summary>
    public string? ServiceUri { get; set; }

    /// <summary>Emulators only: <c>UseDevelopmentStorage=true</c> or Azurite's full connection string.</summary>
    public string? ConnectionString { get; set; }

    public string QueueName { get; set; } = "workflows";

    /// <summary>
    /// Where the standalone dispatcher puts a message it gives up on, with the reason. Not <c>&lt;QueueName&gt;-poison</c>:
    /// the Functions host's queue trigger moves the messages it gives up on there, as bare bodies, and the two
    /// formats must not share a queue.
    /// </summary>
    public string PoisonQueueName { get; set; } = "workflows-failed";
}

internal sealed partial class StorageQueueOptionsValidator : IValidateOptions<StorageQueueOptions>
{
    // Storage queue names: 3-63 lowercase letters, digits and single hyphens, not at either end.
    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueNamePattern();

    public ValidateOptionsResult Validate(string? name, StorageQueueOptions options)
    {
        var problems = new List<string>();
        if (AzureEndpoints.Validate(StorageQueueOptions.Section, nameof(StorageQueueOptions.ServiceUri), options.ServiceUri, options.ConnectionString, "QueueEndpoint") is { } endpoint)
        {
            problems.Add(endpoint);
        }
        foreach (var (key, value) in new[] { (nameof(options.QueueName), options.QueueName), (nameof(options.PoisonQueueName), options.PoisonQueueName) })
        {
            if (value is null || !QueueNamePattern().IsMatch(value))
            {
                problems.Add($"{StorageQueueOptions.Section}:{key} is '{value}'; expected 3 to 63 lowercase letters, digits and single hyphens.");
            }
        }
        if (string.Equals(options.QueueName, options.PoisonQueueName, StringComparison.Ordinal))
        {
            problems.Add($"{StorageQueueOptions.Section}:PoisonQueueName must differ from QueueName.");
        }
        if (string.Equals(options.PoisonQueueName, options.QueueName + "-poison", StringComparison.Ordinal))
        {
            problems.Add($"{StorageQueueOptions.Section}:PoisonQueueName is '{options.PoisonQueueName}', the Functions host's own poison queue of '{options.QueueName}'; pick another name (default 'workflows-failed').");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
