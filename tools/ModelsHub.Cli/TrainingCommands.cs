using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using Spectre.Console;

namespace ModelsHub.Cli;

/// <summary>
/// <c>modelshub train</c> starts a training job and follows it live (the job's server-sent events:
/// progress, metrics, log lines, checkpoints, states) until it ends, exiting with its result: 0 when it
/// succeeded (the new version is printed), 1 when it failed (the reason and the trainer's last lines) or
/// was cancelled. <c>modelshub jobs list|show|follow|cancel</c> work on jobs already started.
/// </summary>
public static class TrainingCommands
{
    /// <summary>How long a follower keeps reconnecting to a hub that went away (a restart) before it gives up.</summary>
    private static readonly TimeSpan ReconnectFor = TimeSpan.FromMinutes(2);

    public static Command BuildTrain(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var model = new Option<string>("--model", "-m") { Description = "The base model.", Required = true };
        var version = new Option<string>("--version", "-v") { Description = "The base model's version (ready).", Required = true };
        var dataset = new Option<string>("--dataset", "-d") { Description = "The dataset.", Required = true };
        var datasetVersion = new Option<string>("--dataset-version") { Description = "The dataset's version (ready).", Required = true };
        var name = new Option<string?>("--name") { Description = "The job's name (default <model>-<version>-ft-<yyyyMMdd-HHmm>)." };
        var trainer = new Option<string?>("--trainer") { Description = "The trainer (default: the hub's; see GET /api/trainers)." };
        var method = new Option<string?>("--method") { Description = "full, lora, or what the trainer declares." };
        var compute = new Option<string?>("--compute") { Description = "local or kubernetes (default: the hub's)." };
        var parameters = new Option<string[]>("--set", "-p")
        {
            Description = "A hyperparameter as name=value (repeat for more): epochs=5, learningRate=0.01.",
            HelpName = "name=value",
        };
        var outputModel = new Option<string?>("--output-model") { Description = "Register the output as a version of this model (default: the base model)." };
        var outputLabel = new Option<string?>("--output-label") { Description = "The output version's label (default: the next one, v1 → v2)." };
        var detach = new Option<bool>("--detach") { Description = "Start the job and return its id without following it." };
        var train = new Command("train", "Start a training job from a model version on a dataset version and follow it live; exits 0 when it succeeds.")
        {
            model, version, dataset, datasetVersion, name, trainer, method, compute, parameters, outputModel, outputLabel, detach,
        };
        train.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, async () =>
            {
                var request = new TrainingJobRequest(parse.GetValue(model)!, parse.GetValue(version)!, parse.GetValue(dataset)!, parse.GetValue(datasetVersion)!,
                    parse.GetValue(name), parse.GetValue(trainer), parse.GetValue(method), Hyperparameters(parse.GetValue(parameters) ?? []), parse.GetValue(compute),
                    parse.GetValue(outputModel) is null && parse.GetValue(outputLabel) is null ? null : new TrainingOutputRequest(parse.GetValue(outputModel), parse.GetValue(outputLabel)));
                return await StartAsync(cli, request, parse.GetValue(detach), ct);
            }, ct);
        });
        return train;
    }

    public static Command BuildJobs(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var jobs = new Command("jobs", "Training jobs: list, show, follow, cancel.");

        var state = CliOptions.Enum<TrainingJobState>("--state", "Only jobs in this state.");
        var model = new Option<string?>("--model") { Description = "Only jobs training this model (everyone's, if you manage it)." };
        var mine = new Option<bool>("--mine") { Description = "Only the jobs you started." };
        var limit = new Option<int>("--limit") { Description = "How many jobs (1-100).", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100) r.AddError("--limit must be from 1 to 100."); });
        var list = new Command("list", "The jobs you may see, newest first.") { state, model, mine, limit };
        list.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, () => ListAsync(cli, parse.GetValue(state), parse.GetValue(model), parse.GetValue(mine), parse.GetValue(limit), ct), ct);
        });

        Command One(string verb, string description, Func<CliContext, string, CancellationToken, Task<int>> action)
        {
            var id = new Argument<string>("id") { Description = "The job's id (tj-…)." };
            var command = new Command(verb, description) { id };
            command.SetAction((parse, ct) =>
            {
                var cli = context(parse);
                return run(cli, () => action(cli, parse.GetValue(id)!, ct), ct);
            });
            return command;
        }

        jobs.Subcommands.Add(list);
        jobs.Subcommands.Add(One("show", "A job: state, progress, metrics, output version or error.", ShowAsync));
        jobs.Subcommands.Add(One("follow", "Follow a job live until it ends; exits 0 when it succeeds.", FollowAsync));
        jobs.Subcommands.Add(One("cancel", "Stop a job (its trainer is stopped) and wait until it is cancelled.", CancelAsync));
        return jobs;
    }

    /// <summary><c>name=value</c> pairs as hyperparameters (<see cref="CliOptions.JsonValue"/>); null when none are given.</summary>
    public static IReadOnlyDictionary<string, JsonElement>? Hyperparameters(IReadOnlyList<string> pairs) =>
        pairs.Count == 0 ? null : CliOptions.Pairs(pairs, "--set").ToDictionary(p => p.Key, p => CliOptions.JsonValue(p.Value), StringComparer.Ordinal);

    private static async Task<int> StartAsync(CliContext cli, TrainingJobRequest request, bool detach, CancellationToken cancellationToken)
    {
        TrainingJobDto job;
        using (var hub = cli.Connect())
        {
            job = await hub.ExpectAsync<TrainingJobDto>(HttpMethod.Post, "api/training-jobs", request, cancellationToken, HttpStatusCode.Created);
        }
        cli.Say($"Started {job.Id} ({job.Name}): {job.Model} {job.Version} on {job.Dataset} {job.DatasetVersion}, {job.Trainer} ({job.Method}) on {job.Compute}.");
        if (detach)
        {
            if (cli.Json) cli.WriteJson(job);
            else cli.Say($"Follow it with: modelshub jobs follow {job.Id}");
            return ExitCodes.Ok;
        }
        try
        {
            return await FollowAsync(cli, job.Id, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cli.Errors.WriteLine($"Stopped following; the job goes on. Follow it again with: modelshub jobs follow {job.Id} (or stop it: modelshub jobs cancel {job.Id})");
            throw;
        }
    }

    private static async Task<int> FollowAsync(CliContext cli, string id, CancellationToken cancellationToken) =>
        Finish(cli, await FollowToEndAsync(cli, id, cancellationToken));

    /// <summary>Follows the job's server-sent events, reconnecting after its last event id when the hub goes away, until the job has ended; returns it as it ended.</summary>
    private static async Task<TrainingJobDto> FollowToEndAsync(CliContext cli, string id, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        hub.Http.Timeout = Timeout.InfiniteTimeSpan;
        string? lastEventId = null;
        TrainingJobDto? job = null;
        var failingSince = (DateTimeOffset?)null;
        while (true)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"api/training-jobs/{Uri.EscapeDataString(id)}/events");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                if (lastEventId is not null)
                {
                    request.Headers.Add("Last-Event-ID", lastEventId);
                }
                using var response = await hub.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    var problem = await response.Content.ReadAsStringAsync(cancellationToken);
                    if ((int)response.StatusCode is >= 400 and < 500)
                    {
                        throw new HubRequestException($"GET api/training-jobs/{id}/events: {(int)response.StatusCode} {response.StatusCode} — {Detail(problem)}");
                    }
                    throw new HttpRequestException($"{(int)response.StatusCode} {response.StatusCode}");
                }
                failingSince = null;
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
                {
                    if (item.EventType == "job")
                    {
                        var next = JsonSerializer.Deserialize<TrainingJobDto>(item.Data, ContractJson.Options)!;
                        if (job is null || next.State != job.State)
                        {
                            cli.Say($"{Now()} {Name(next.State)}{(next.States.LastOrDefault()?.Note is { } note ? ": " + note : "")}");
                        }
                        job = next;
                        continue;
                    }
                    lastEventId = item.EventId ?? lastEventId;
                    var e = JsonSerializer.Deserialize<TrainingEventDto>(item.Data, ContractJson.Options)!;
                    cli.Say($"{Now()} {Describe(e)}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                failingSince ??= DateTimeOffset.UtcNow;
                if (DateTimeOffset.UtcNow - failingSince > ReconnectFor)
                {
                    throw;
                }
                cli.Errors.WriteLine($"The hub went away ({ex.Message}); reconnecting after event {lastEventId ?? "0"} …");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                continue;
            }
            if (job is { State: TrainingJobState.Succeeded or TrainingJobState.Failed or TrainingJobState.Cancelled })
            {
                return job;
            }
            // The stream ended before the job (the hub stopped): follow again from the last event.
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    private static int Finish(CliContext cli, TrainingJobDto job)
    {
        if (cli.Json)
        {
            cli.WriteJson(job);
        }
        switch (job.State)
        {
            case TrainingJobState.Succeeded:
                cli.Say($"Succeeded: version {job.Output.Version} of {job.Output.Model}{Metrics(job)}.");
                return ExitCodes.Ok;
            case TrainingJobState.Failed:
                cli.Errors.WriteLine($"Failed: {job.Error?.Reason}");
                foreach (var line in job.Error?.LastLogLines ?? [])
                {
                    cli.Errors.WriteLine("  " + line);
                }
                return ExitCodes.Failed;
            default:
                cli.Errors.WriteLine($"Cancelled{(job.States.LastOrDefault()?.Note is { } note ? ": " + note : "")}.");
                return ExitCodes.Failed;
        }
    }

    private static async Task<int> ListAsync(CliContext cli, TrainingJobState? state, string? model, bool mine, int limit, CancellationToken cancellationToken)
    {
        var path = $"api/training-jobs?pageSize={limit}";
        if (state is { } s) path += "&state=" + Name(s);
        if (model is not null) path += "&model=" + Uri.EscapeDataString(model);
        if (mine) path += "&mine=true";
        using var hub = cli.Connect();
        var page = await hub.ExpectAsync<TrainingJobListResponse>(HttpMethod.Get, path, null, cancellationToken, HttpStatusCode.OK);
        if (cli.Json)
        {
            cli.WriteJson(page);
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Id", "Name", "Base", "Dataset", "State", "Progress", "Output", "Started by", "Created");
        foreach (var j in page.Items)
        {
            table.AddRow(j.Id, Markup.Escape(j.Name), Markup.Escape($"{j.Model} {j.Version}"), Markup.Escape($"{j.Dataset} {j.DatasetVersion}"), Name(j.State),
                j.Progress?.Percent is { } p ? $"{p:0}%" : "—", j.Output.Version is { } v ? Markup.Escape($"{j.Output.Model} {v}") : "—", Markup.Escape(j.CreatedBy),
                j.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }
        cli.Console.Write(table);
        cli.Console.MarkupLineInterpolated($"{page.Items.Count} job(s){(page.ContinuationToken is null ? "" : "; more with a larger --limit")}");
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(CliContext cli, string id, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var job = await hub.ExpectAsync<TrainingJobDto>(HttpMethod.Get, $"api/training-jobs/{Uri.EscapeDataString(id)}", null, cancellationToken, HttpStatusCode.OK);
        if (cli.Json)
        {
            cli.WriteJson(job);
            return ExitCodes.Ok;
        }
        var (grid, Row) = CliContext.FieldGrid();
        Row("Id", job.Id);
        Row("Name", job.Name);
        Row("Base", $"{job.Model} {job.Version}");
        Row("Dataset", $"{job.Dataset} {job.DatasetVersion} ({job.DatasetFormat})");
        Row("Trainer", $"{job.Trainer} ({job.Method}) on {job.Compute}");
        Row("Hyperparameters", string.Join(", ", job.Hyperparameters.Select(h => $"{h.Key}={h.Value.GetRawText()}")));
        Row("State", string.Join(" → ", job.States.Select(s => $"{Name(s.State)} {s.At:HH:mm:ss}")));
        Row("Progress", job.Progress is { } p ? Progress(p) : null);
        Row("Metrics", job.Metrics.Count == 0 ? null : string.Join(", ", job.Metrics.Select(m => $"{m.Key} {m.Value.Value:0.####}")));
        Row("Output", job.Output.Version is { } v ? $"{job.Output.Model} {v}" : $"{job.Output.Model} (not yet)");
        Row("Error", job.Error is { } error ? string.Join("\n", [error.Reason, .. error.LastLogLines]) : null);
        Row("Started by", job.CreatedBy);
        cli.Console.Write(grid);
        return ExitCodes.Ok;
    }

    private static async Task<int> CancelAsync(CliContext cli, string id, CancellationToken cancellationToken)
    {
        using (var hub = cli.Connect())
        {
            await hub.ExpectAsync<TrainingJobDto>(HttpMethod.Post, $"api/training-jobs/{Uri.EscapeDataString(id)}/cancel", null, cancellationToken, HttpStatusCode.Accepted);
        }
        cli.Say($"Cancel requested for {id}; waiting for its trainer to stop …");
        var job = await FollowToEndAsync(cli, id, cancellationToken);
        var exit = Finish(cli, job);
        // Cancelled is what was asked for; a job that ended otherwise first says so and exits with its result.
        return job.State == TrainingJobState.Cancelled ? ExitCodes.Ok : exit;
    }

    private static string Describe(TrainingEventDto e) => e.Type switch
    {
        TrainerEventType.Progress => Progress(new TrainingProgressDto(e.Percent, e.Step, e.TotalSteps, e.Epoch, e.EtaSeconds, e.At)),
        TrainerEventType.Metric => $"{e.Name} {e.Value:0.######}{Where(e.Step, e.Epoch)}",
        TrainerEventType.Log => $"{(e.Level is null or "info" ? "" : e.Level + ": ")}{e.Message}",
        TrainerEventType.Checkpoint => $"checkpoint {e.Name}{Where(e.Step, e.Epoch)}",
        _ => $"output {e.FileName} ({e.Size:N0} bytes){(e.Metrics is { Count: > 0 } m ? ": " + string.Join(", ", m.Select(p => $"{p.Key} {p.Value:0.####}")) : "")}",
    };

    private static string Progress(TrainingProgressDto p)
    {
        var parts = new List<string>();
        if (p.Percent is { } percent) parts.Add($"{percent:0.#}%");
        if (p.Step is { } step) parts.Add(p.TotalSteps is { } total ? $"step {step}/{total}" : $"step {step}");
        if (p.Epoch is { } epoch) parts.Add($"epoch {epoch:0.##}");
        if (p.EtaSeconds is { } eta) parts.Add($"ETA {TimeSpan.FromSeconds(Math.Round(eta)):g}");
        return "progress " + string.Join(", ", parts);
    }

    private static string Where(long? step, double? epoch) =>
        step is null && epoch is null ? "" : $" ({string.Join(", ", new[] { step is { } s ? $"step {s}" : null, epoch is { } e ? $"epoch {e:0.##}" : null }.OfType<string>())})";

    private static string Metrics(TrainingJobDto job) =>
        job.Metrics.Count == 0 ? "" : " (" + string.Join(", ", job.Metrics.Select(m => $"{m.Key} {m.Value.Value:0.####}")) + ")";

    private static string Detail(string problem)
    {
        try
        {
            using var doc = JsonDocument.Parse(problem);
            return doc.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? problem : problem;
        }
        catch (JsonException)
        {
            return problem;
        }
    }

    private static string Now() => DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Name<T>(T value) where T : struct, Enum => EnumNames<T>.NameOf(value);
}
