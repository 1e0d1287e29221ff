using ModelsHub.Contracts.Training;
using ModelsHub.Core.Training;

namespace ModelsHub.IntegrationTests.Training;

internal static class ComputeTesting
{
    public static TrainerDefinition ShellTrainer(string script) => new("shell", null,
        new LocalTrainerOptions { Command = "/bin/sh", Arguments = ["-c", script] },
        new ContainerTrainerOptions { Image = "example.org/shell:1", Arguments = ["-c", script] },
        ["csv"], ["full"], new Dictionary<string, HyperparameterSpec>());

    public static TrainerLaunch Launch(string jobId, string script, Dictionary<string, string>? environment = null) =>
        new(jobId, ShellTrainer(script), environment ?? new Dictionary<string, string>
        {
            [TrainerEnvironment.JobId] = jobId,
            [TrainerEnvironment.EventsUrl] = "http://127.0.0.1:1/api/training-jobs/" + jobId + "/events?token=t",
            [TrainerEnvironment.Hyperparameters] = "{\"epochs\":3}",
        });

    public static string NewJobId() => "tj-test-" + Guid.NewGuid().ToString("N")[..10];

    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}; last: {value}");
            }
            await Task.Delay(50);
        }
    }
}
