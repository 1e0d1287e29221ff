using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;

namespace ModelsHub.Trainer.Contract;

/// <summary>
/// The reference trainer as the hub starts it (docs/trainer-contract.md): inputs from signed read
/// links, events to the job-scoped events URL, the output through the hub's upload protocol at the
/// job-scoped output URL, then the <c>output</c> event. Exit codes: 0 done, 1 failed (the reason was
/// posted as an <c>error</c> log line), 3 the hub ended the job.
/// </summary>
public static class HubRun
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var jobId = Required(TrainerEnvironment.JobId);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var log = Console.Error;
        await using var events = new HubEventSink(http, new Uri(Required(TrainerEnvironment.EventsUrl)), log);
        var work = Path.Combine(Path.GetTempPath(), "modelshub-trainer", jobId + "-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        try
        {
            events.Post(new TrainerEvent(0, TrainerEventType.Log, Level: "info", Message: $"reference trainer started for job {jobId} (pid {Environment.ProcessId})"));
            var method = Environment.GetEnvironmentVariable(TrainerEnvironment.Method) ?? "full";
            if (method != "full")
            {
                throw new InvalidDataException($"The reference trainer trains every parameter (method 'full'), not '{method}'.");
            }
            var hyperparameters = TrainingRun.ParseHyperparameters(Environment.GetEnvironmentVariable(TrainerEnvironment.Hyperparameters), out var checkpointEvery);
            var baseFiles = JsonSerializer.Deserialize<List<TrainerInputFile>>(Required(TrainerEnvironment.BaseFiles), ContractJson.Options) ?? [];
            var dataset = JsonSerializer.Deserialize<TrainerDataset>(Required(TrainerEnvironment.Dataset), ContractJson.Options)
                ?? throw new InvalidDataException($"{TrainerEnvironment.Dataset} is empty.");
            var baseFile = baseFiles.Where(f => f.Name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)).ToList() switch
            {
                [var only] => only,
                var zips => zips.FirstOrDefault(f => f.Name.Equals(TrainingRun.OutputFileName, StringComparison.OrdinalIgnoreCase))
                    ?? throw new InvalidDataException($"The base version must hold one ML.NET model (.zip); it holds {string.Join(", ", baseFiles.Select(f => f.Name))}."),
            };

            var transfers = new HubTransfers(http, log);
            var basePath = Path.Combine(work, "base-" + Path.GetFileName(baseFile.Name));
            var dataPath = Path.Combine(work, "dataset-" + Path.GetFileName(dataset.FileName));
            events.Post(new TrainerEvent(0, TrainerEventType.Log, Level: "info", Message: $"downloading base model {baseFile.Name} ({baseFile.Size} bytes) and dataset {dataset.Name} {dataset.Version} ({dataset.Size} bytes)"));
            await transfers.DownloadAsync(new Uri(baseFile.Url), basePath, baseFile.Size, baseFile.Sha256, cancellationToken);
            await transfers.DownloadAsync(new Uri(dataset.Url), dataPath, dataset.Size, dataset.Sha256, cancellationToken);

            var (output, result) = new TrainingRun(events).Run(new RunInputs(basePath, dataPath, dataset.Format, hyperparameters, work), checkpointEvery, cancellationToken);
            await events.FlushAsync(cancellationToken);

            var sha256 = await HubTransfers.HashAsync(output, cancellationToken);
            var upload = await transfers.UploadAsync(new Uri(Required(TrainerEnvironment.OutputUrl)), output, sha256, cancellationToken);
            events.Post(new TrainerEvent(0, TrainerEventType.Output, UploadId: upload.Id, FileName: upload.FileName, Size: upload.Size, Sha256: sha256,
                Metrics: TrainingRun.FinalMetrics(result)));
            await events.FlushAsync(cancellationToken);
            return 0;
        }
        catch (JobEndedException ex)
        {
            await log.WriteLineAsync(ex.Message);
            return 3;
        }
        catch (Exception ex) when (events.Failure is JobEndedException ended)
        {
            await log.WriteLineAsync($"{ended.Message} ({ex.GetType().Name})");
            return 3;
        }
        catch (Exception ex)
        {
            var reason = ex is OperationCanceledException ? "The trainer was stopped." : ex.Message;
            await log.WriteLineAsync("error: " + reason);
            events.Post(new TrainerEvent(0, TrainerEventType.Log, Level: "error", Message: reason));
            try
            {
                await events.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception)
            {
            }
            return 1;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidDataException($"{name} is not set; the hub sets it (docs/trainer-contract.md).");
}
