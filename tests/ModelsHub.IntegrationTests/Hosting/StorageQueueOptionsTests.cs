using ModelsHub.Infrastructure.StorageQueues;

namespace ModelsHub.IntegrationTests.Hosting;

/// <summary>The hub's poison queue must never be the one the Functions host's queue trigger poisons into.</summary>
public sealed class StorageQueueOptionsTests
{
    private static readonly StorageQueueOptionsValidator Validator = new();

    [Fact]
    public void ThePoisonQueueOfTheHostsQueueTriggerIsRefusedWithTheSettingsPath()
    {
        var result = Validator.Validate(null, new StorageQueueOptions { ConnectionString = "UseDevelopmentStorage=true", QueueName = "jobs", PoisonQueueName = "jobs-poison" });

        Assert.True(result.Failed);
        Assert.Contains("Storage:Azure:Queues:PoisonQueueName", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultsKeepTheHubsPoisonQueueApartFromTheHosts()
    {
        var options = new StorageQueueOptions { ConnectionString = "UseDevelopmentStorage=true" };

        Assert.True(Validator.Validate(null, options).Succeeded);
        Assert.NotEqual(options.QueueName + "-poison", options.PoisonQueueName);
    }
}
