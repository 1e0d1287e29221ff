using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelsHub.Contracts.Training;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Training;

/// <summary>
/// The hub in memory with a trainer that is a shell script (it records its environment and pid beside
/// the test, then waits or does what the script says), so a test can play the trainer through the
/// contract's URLs, or let it crash or hang, without training anything.
/// </summary>
public sealed class ShellTrainerHub : IAsyncDisposable
{
    public ShellTrainerHub(string script = "sleep 300", Action<HubApplication>? configure = null)
    {
        Folder = Directory.CreateTempSubdirectory("shell-trainer-").FullName;
        App = new HubApplication()
            .With("Training:Trainers:shell:Local:Command", "/bin/sh")
            .With("Training:Trainers:shell:Local:Arguments:0", "-c")
            .With("Training:Trainers:shell:Local:Arguments:1", $"env > '{Folder}/'$MODELSHUB_JOB_ID.env; echo $$ > '{Folder}/'$MODELSHUB_JOB_ID.pid; {script}")
            .With("Training:Trainers:shell:DatasetFormats:0", "csv")
            .With("Training:Trainers:shell:Methods:0", "full")
            .With("Training:Trainers:shell:Hyperparameters:epochs:Type", "integer")
            .With("Training:Trainers:shell:Hyperparameters:epochs:Default", "1")
            .With("Training:Trainers:shell:Hyperparameters:epochs:Min", "1")
            .With("Training:Trainers:shell:Hyperparameters:epochs:Max", "10")
            .With("Training:DefaultTrainer", "shell")
            .With("Training:MonitorInterval", "00:00:00.100")
            .With("Workflows:RetryDelay", "00:00:00.100");
        configure?.Invoke(App);
        Owner = App.ClientFor("tess", "trainer");
        Trainer = App.CreateClient();
    }

    public string Folder { get; }

    public HubApplication App { get; }

    /// <summary>The job's starter (role trainer).</summary>
    public HttpClient Owner { get; }

    /// <summary>An anonymous client: the trainer, authorized by the token in its URLs.</summary>
    public HttpClient Trainer { get; }

    public async Task SeedAsync(string model = "m", string dataset = "d")
    {
        await Uploads.CreateModelAsync(Owner, model);
        await Uploads.UploadVersionAsync(Owner, model, "v1", "model.zip", Uploads.RandomBytes(3000, 1));
        await DatasetTesting.CreateAsync(Owner, dataset, "csv");
        await DatasetTesting.UploadAndValidateAsync(Owner, dataset, "v1", "data.csv", Encoding.UTF8.GetBytes("text,label\nhello,a\nworld,b\n"));
    }

    public async Task<string> StartAsync(object? extra = null, string model = "m", string dataset = "d")
    {
        var body = new Dictionary<string, object?> { ["model"] = model, ["version"] = "v1", ["dataset"] = dataset, ["datasetVersion"] = "v1" };
        if (extra is not null)
        {
            foreach (var p in JsonSerializer.SerializeToElement(extra, HubApplication.Json).EnumerateObject())
            {
                body[p.Name] = p.Value;
            }
        }
        return (await TrainingTesting.StartAsync(Owner, body)).GetProperty("id").GetString()!;
    }

    /// <summary>The environment the trainer of <paramref name="job"/> got, once it is running.</summary>
    public async Task<IReadOnlyDictionary<string, string>> EnvironmentOfAsync(string job)
    {
        var path = Path.Combine(Folder, job + ".env");
        await GitHubTesting.EventuallyAsync<object>(async () => File.Exists(path) && (await File.ReadAllTextAsync(path)).Contains(TrainerEnvironment.Deadline) ? true : null,
            $"the trainer of {job} to start", TimeSpan.FromSeconds(30));
        return (await File.ReadAllLinesAsync(path)).Where(l => l.Contains('=')).Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
    }

    public bool IsTrainerAlive(string job)
    {
        var path = Path.Combine(Folder, job + ".pid");
        if (!File.Exists(path) || !int.TryParse(File.ReadAllText(path).Trim(), out var pid))
        {
            return false;
        }
        return Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ");
    }

    /// <summary>The events URL's path and query (the in-memory hub answers on its own client).</summary>
    public static string Relative(string url) => new Uri(url).PathAndQuery;

    public async Task<HttpResponseMessage> PostEventsAsync(IReadOnlyDictionary<string, string> env, params string[] lines)
    {
        var content = new StringContent(string.Join("\n", lines) + "\n", Encoding.UTF8, "application/x-ndjson");
        return await Trainer.PostAsync(Relative(env[TrainerEnvironment.EventsUrl]), content);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pidFile in Directory.EnumerateFiles(Folder, "*.pid"))
        {
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            {
                try { System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true); } catch (Exception) { }
            }
        }
        await App.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
