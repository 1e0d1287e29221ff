using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>
/// Training for tests: the reference trainer's commands as a newcomer runs them (a sample dataset, a
/// base model, a prediction), a model version and a dataset version to train from, jobs to start and
/// follow to their end (by polling, or live over server-sent events).
/// </summary>
public static class TrainingTesting
{
    public static string TrainerDll => Path.Combine(AppContext.BaseDirectory, "ModelsHub.Trainer.dll");

    /// <summary>Runs the reference trainer's command line; returns its standard output (a failure throws with everything it wrote).</summary>
    public static async Task<string> RunTrainerAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(TrainerDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"ModelsHub.Trainer {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output}\n{await errors}");
        }
        return await output;
    }

    /// <summary>A sample dataset and a base model made from it, in <paramref name="folder"/>: (dataset bytes, model bytes, the base model's accuracy).</summary>
    public static async Task<(byte[] Dataset, byte[] BaseModel, double BaseAccuracy)> PrepareAsync(string folder, int rows = 1200)
    {
        await RunTrainerAsync(folder, "sample", "--output", "news.csv", "--rows", rows.ToString(), "--seed", "7");
        var init = JsonDocument.Parse(await RunTrainerAsync(folder, "init", "--data", "news.csv", "--output", "base.zip", "--rows", "16")).RootElement;
        return (await File.ReadAllBytesAsync(Path.Combine(folder, "news.csv")), await File.ReadAllBytesAsync(Path.Combine(folder, "base.zip")),
            init.GetProperty("metrics").GetProperty("accuracy").GetDouble());
    }

    /// <summary>A private model with version v1 holding the base model, and a csv dataset with version v1 validated ready.</summary>
    public static async Task SeedAsync(HttpClient client, string model, string dataset, byte[] baseModel, byte[] data, double baseAccuracy)
    {
        await Uploads.CreateModelAsync(client, model);
        await Uploads.UploadVersionAsync(client, model, "v1", "model.zip", baseModel);
        await client.SendJsonAsync(HttpMethod.Patch, $"/api/models/{model}/versions/v1", new { metrics = new { accuracy = baseAccuracy } }, "*").ExpectAsync(HttpStatusCode.OK);
        await DatasetTesting.CreateAsync(client, dataset, "csv");
        var version = await DatasetTesting.UploadAndValidateAsync(client, dataset, "v1", "news.csv", data);
        Assert.Equal("ready", version.GetProperty("status").GetString());
    }

    public static async Task<JsonElement> StartAsync(HttpClient client, object request) =>
        await (await client.PostAsJsonAsync("/api/training-jobs", request, HubApplication.Json).ExpectAsync(HttpStatusCode.Created)).JsonAsync();

    /// <summary>The job once it has ended (succeeded, failed, cancelled).</summary>
    public static async Task<JsonElement> EndedAsync(HttpClient client, string id, TimeSpan? within = null) =>
        (JsonElement)await GitHubTesting.EventuallyAsync<object>(async () =>
        {
            var job = await Uploads.GetAsync(client, $"/api/training-jobs/{id}");
            return job.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled" ? job : null;
        }, $"training job {id} to end", within ?? TimeSpan.FromMinutes(3));

    /// <summary>The job once it is in <paramref name="state"/> (or has ended, which fails the wait).</summary>
    public static async Task<JsonElement> InStateAsync(HttpClient client, string id, string state, TimeSpan? within = null) =>
        (JsonElement)await GitHubTesting.EventuallyAsync<object>(async () =>
        {
            var job = await Uploads.GetAsync(client, $"/api/training-jobs/{id}");
            var now = job.GetProperty("state").GetString();
            if (now != state && now is "succeeded" or "failed" or "cancelled")
            {
                throw new Xunit.Sdk.XunitException($"Job {id} ended {now} while waiting for {state}: {job}");
            }
            return now == state ? job : null;
        }, $"training job {id} to be {state}", within ?? TimeSpan.FromMinutes(2));

    /// <summary>Follows the job live (server-sent events) until the stream ends; returns every item (event type, id, JSON data).</summary>
    public static async Task<List<(string Type, string? Id, JsonElement Data)>> FollowAsync(HttpClient client, string id, string? lastEventId = null, int? stopAfter = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/training-jobs/{id}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var items = new List<(string, string?, JsonElement)>();
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(timeout.Token))
        {
            items.Add((item.EventType, item.EventId, JsonDocument.Parse(item.Data).RootElement.Clone()));
            if (items.Count == stopAfter)
            {
                break;
            }
        }
        return items;
    }
}
