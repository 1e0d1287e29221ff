using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Deployments;
using Spectre.Console;

namespace ModelsHub.Cli;

/// <summary>
/// <c>modelshub deploy MODEL --server S</c> deploys a model version on an inference server (the options are
/// the deploy API's fields) and follows it live until it runs (exit 0) or fails (exit 1, with the server's
/// reason); <c>deploy list|show|stop|start|delete</c> work on deployments already made.
/// </summary>
public static class DeployCommands
{
    /// <summary>How often a followed deployment is looked at.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a follower keeps asking a hub that does not answer (a restart) before it gives up.</summary>
    private static readonly TimeSpan ReconnectFor = TimeSpan.FromMinutes(2);

    public static Command Build(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var model = new Argument<string?>("model") { Description = "The hub model to deploy.", Arity = ArgumentArity.ZeroOrOne };
        var server = new Option<string?>("--server", "-s") { Description = "The inference server to deploy on (see GET /api/inference-servers)." };
        var version = new Option<string?>("--version", "-v") { Description = "The model's version (default: its default version)." };
        var engine = new Option<string?>("--engine") { Description = "The engine (llama.cpp, vLLM, Transformers, MLX, …; default: the one the format needs)." };
        var format = new Option<string?>("--format") { Description = "The model format (pytorch, ggufv2, awq, …; default: the model's first spec)." };
        var size = new Option<string?>("--size") { Description = "The model size in billions of parameters (7, 0_5, …).", HelpName = "billions" };
        var quantization = new Option<string?>("--quantization", "-q") { Description = "The quantization (Q4_K_M, none, …)." };
        var replicas = new Option<int?>("--replicas") { Description = "How many replicas the server runs (default 1)." };
        replicas.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--replicas must be at least 1."); });
        var gpus = new Option<string?>("--gpus") { Description = "GPUs per replica: a number, auto (the default), or none (CPU only).", HelpName = "n|auto|none" };
        gpus.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } g && g is not ("auto" or "none") && !(int.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0))
            {
                r.AddError($"--gpus '{g}' is not a number of GPUs, auto or none.");
            }
        });
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "An extra launch argument for the engine as name=value (repeat for more): max_model_len=4096.",
            HelpName = "name=value",
        };
        var env = new Option<string[]>("--env", "-e") { Description = "An environment variable of the model process as NAME=value (repeat for more).", HelpName = "NAME=value" };
        var inputFormat = new Option<string?>("--input-format") { Description = "A note on the input the deployment takes." };
        var outputFormat = new Option<string?>("--output-format") { Description = "A note on the output it gives." };
        var noWait = NoWait();
        var deploy = new Command("deploy", "Deploy a model on an inference server and follow it until it runs; exits 0 when it runs, 1 when it failed. Also: list, show, stop, start, delete.")
        {
            model, server, version, engine, format, size, quantization, replicas, gpus, parameters, env, inputFormat, outputFormat, noWait,
        };
        deploy.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, async () =>
            {
                if (parse.GetValue(model) is not { Length: > 0 } name)
                {
                    throw new UsageException("Name the model to deploy: modelshub deploy MODEL --server SERVER (or: deploy list|show|stop|start|delete).");
                }
                if (parse.GetValue(server) is not { Length: > 0 } on)
                {
                    throw new UsageException("--server is required: the inference server to deploy on.");
                }
                var request = new DeploymentRequest(name, parse.GetValue(version), on, parse.GetValue(engine), parse.GetValue(format),
                    parse.GetValue(size) is { } s ? CliOptions.JsonValue(s) : null, parse.GetValue(quantization), parse.GetValue(replicas),
                    parse.GetValue(gpus) switch
                    {
                        null => null,
                        // CPU only is an explicit null in the request (leaving it out means "auto").
                        "none" => JsonSerializer.SerializeToElement<object?>(null),
                        var g => CliOptions.JsonValue(g),
                    },
                    parse.GetValue(parameters) is { Length: > 0 } p
                        ? JsonSerializer.SerializeToElement(CliOptions.Pairs(p, "--param").ToDictionary(kv => kv.Key, kv => CliOptions.JsonValue(kv.Value), StringComparer.Ordinal))
                        : null,
                    parse.GetValue(env) is { Length: > 0 } e ? CliOptions.Pairs(e, "--env").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal) : null,
                    parse.GetValue(inputFormat), parse.GetValue(outputFormat));
                return await ActAsync(cli, HttpMethod.Post, "api/deployments", request, DeploymentState.Running, parse.GetValue(noWait), ct);
            }, ct);
        });

        var state = CliOptions.Enum<DeploymentState>("--state", "Only deployments in this state.");
        var ofModel = new Option<string?>("--model", "-m") { Description = "Only deployments of this model." };
        var onServer = new Option<string?>("--server", "-s") { Description = "Only deployments on this server." };
        var limit = new Option<int>("--limit") { Description = "How many deployments (1-100).", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100) r.AddError("--limit must be from 1 to 100."); });
        var list = new Command("list", "The deployments you may see, newest first.") { ofModel, onServer, state, limit };
        list.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, () => ListAsync(cli, parse.GetValue(ofModel), parse.GetValue(onServer), parse.GetValue(state), parse.GetValue(limit), ct), ct);
        });
        deploy.Subcommands.Add(list);

        Command One(string verb, string description, Func<CliContext, string, ParseResult, CancellationToken, Task<int>> action, params Option[] options)
        {
            var id = new Argument<string>("id") { Description = "The deployment's id (as deploy and deploy list show it)." };
            var command = new Command(verb, description) { id };
            foreach (var option in options) command.Options.Add(option);
            command.SetAction((parse, ct) =>
            {
                var cli = context(parse);
                return run(cli, () => action(cli, parse.GetValue(id)!, parse, ct), ct);
            });
            return command;
        }

        var stopNoWait = NoWait();
        var startNoWait = NoWait();
        var deleteNoWait = NoWait();
        var force = new Option<bool>("--force") { Description = "Forget it at once without stopping it on the server (its server is gone for good)." };
        deploy.Subcommands.Add(One("show", "A deployment: its settings, state with history, progress and error.", (cli, id, _, ct) => ShowAsync(cli, id, ct)));
        deploy.Subcommands.Add(One("stop", "Stop the model on its server and wait until it is stopped.",
            (cli, id, parse, ct) => ActAsync(cli, HttpMethod.Post, $"api/deployments/{Uri.EscapeDataString(id)}/stop", null, DeploymentState.Stopped, parse.GetValue(stopNoWait), ct), stopNoWait));
        deploy.Subcommands.Add(One("start", "Launch a stopped or failed deployment again with its settings and follow it until it runs.",
            (cli, id, parse, ct) => ActAsync(cli, HttpMethod.Post, $"api/deployments/{Uri.EscapeDataString(id)}/start", null, DeploymentState.Running, parse.GetValue(startNoWait), ct), startNoWait));
        deploy.Subcommands.Add(One("delete", "Stop the model and forget the deployment.",
            (cli, id, parse, ct) => DeleteAsync(cli, id, parse.GetValue(force), parse.GetValue(deleteNoWait), ct), force, deleteNoWait));
        return deploy;
    }

    private static Option<bool> NoWait() => new("--no-wait") { Description = "Return once the hub accepted the request, without following the deployment." };

    /// <summary>Sends a deploy, start or stop, then follows the deployment to <paramref name="goal"/> (exit 0) or to a state it cannot reach from there (exit 1).</summary>
    private static async Task<int> ActAsync(CliContext cli, HttpMethod method, string path, object? body, DeploymentState goal, bool noWait, CancellationToken cancellationToken)
    {
        DeploymentDto deployment;
        using (var hub = cli.Connect())
        {
            deployment = await ExpectAsync(hub, method, path, body, cancellationToken);
        }
        cli.Say(body is null
            ? $"{Verb(goal)} {deployment.Id}: {Name(deployment.State)}."
            : $"Deploying {deployment.Model}{(deployment.Version is null ? "" : " " + deployment.Version)} on {deployment.Server} as {deployment.Id} " +
              $"({string.Join(", ", new[] { deployment.Engine, deployment.Format, deployment.SizeInBillions is { } b ? b + "B" : null, deployment.Quantization }.OfType<string>())}).");
        if (noWait)
        {
            if (cli.Json) cli.WriteJson(deployment);
            else cli.Say($"Follow it with: modelshub deploy show {deployment.Id}");
            return ExitCodes.Ok;
        }
        try
        {
            deployment = await FollowAsync(cli, deployment, goal, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cli.Errors.WriteLine($"Stopped following; the deployment goes on. See it with: modelshub deploy show {deployment.Id}");
            throw;
        }
        if (cli.Json)
        {
            cli.WriteJson(deployment);
        }
        if (deployment.State == goal)
        {
            cli.Say(goal == DeploymentState.Running
                ? $"Running: {deployment.Id} on {deployment.Server}; call it as model '{deployment.Id}' at the gateway, or at {deployment.Endpoint}."
                : $"Stopped: {deployment.Id}.");
            return ExitCodes.Ok;
        }
        cli.Errors.WriteLine($"{(deployment.State == DeploymentState.Failed ? "Failed" : Name(deployment.State))}: {deployment.Error ?? deployment.History.LastOrDefault()?.Detail ?? "no reason given"}");
        return ExitCodes.Failed;
    }

    /// <summary>
    /// Looks at the deployment until it is no longer on its way (a workflow carries it out): each state it enters
    /// is a line with its time and detail, a launch's progress a status line (a spinner on a terminal).
    /// </summary>
    private static async Task<DeploymentDto> FollowAsync(CliContext cli, DeploymentDto deployment, DeploymentState goal, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var path = $"api/deployments/{Uri.EscapeDataString(deployment.Id)}";
        var shown = 0;
        var progress = "";
        var failingSince = (DateTimeOffset?)null;
        async Task<DeploymentDto> Loop(Action<string> status)
        {
            var current = deployment;
            // History entries before the request are not news; the ones since are printed as they appear.
            shown = current.History.Count - 1;
            while (true)
            {
                foreach (var step in current.History.Skip(shown))
                {
                    cli.Say($"{step.At.ToLocalTime():HH:mm:ss} {Name(step.State)}{(step.Detail is { } detail ? ": " + detail : "")}");
                }
                shown = current.History.Count;
                var now = current.State == DeploymentState.Launching && current.Progress is { } p
                    ? $"launching {p:P0}{(current.Stage is { } stage ? $" ({stage})" : "")}"
                    : Name(current.State);
                if (now != progress)
                {
                    progress = now;
                    status($"{current.Id}: {now}");
                }
                if (!InProgress(current.State))
                {
                    return current;
                }
                await Task.Delay(PollInterval, cancellationToken);
                try
                {
                    current = await ExpectAsync(hub, HttpMethod.Get, path, null, cancellationToken);
                    failingSince = null;
                }
                catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failingSince ??= DateTimeOffset.UtcNow;
                    if (DateTimeOffset.UtcNow - failingSince > ReconnectFor) throw;
                    cli.Errors.WriteLine($"The hub does not answer ({ex.Message}); asking again …");
                }
            }
        }
        if (cli.Bars)
        {
            return await cli.Console.Status().Spinner(Spinner.Known.Dots).StartAsync($"{deployment.Id}: {Name(deployment.State)}", ctx =>
                Loop(text => ctx.Status(Markup.Escape(text))));
        }
        // Plain output: a line when a launch's progress changes (the states have theirs already).
        return await Loop(text =>
        {
            if (text.Contains('%', StringComparison.Ordinal)) cli.Say(text);
        });
    }

    private static bool InProgress(DeploymentState state) =>
        state is DeploymentState.Pending or DeploymentState.Registering or DeploymentState.Launching or DeploymentState.Stopping;

    /// <summary>The hub's answer as a deployment; a request the hub judged bad (a field named) is bad usage (exit 2), other refusals exit 1.</summary>
    private static async Task<DeploymentDto> ExpectAsync(HubClient hub, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var answer = await hub.SendAsync<DeploymentDto>(method, path, body, cancellationToken);
        if (answer is { IsSuccess: true, Value: { } deployment })
        {
            return deployment;
        }
        var problem = HubClient.Problem(method, path, answer);
        throw answer.Status == HttpStatusCode.BadRequest ? new UsageException(problem.Message) : problem;
    }

    private static async Task<int> ListAsync(CliContext cli, string? model, string? server, DeploymentState? state, int limit, CancellationToken cancellationToken)
    {
        var path = $"api/deployments?pageSize={limit}";
        if (model is not null) path += "&model=" + Uri.EscapeDataString(model);
        if (server is not null) path += "&server=" + Uri.EscapeDataString(server);
        if (state is { } s) path += "&state=" + Name(s);
        using var hub = cli.Connect();
        var page = await hub.ExpectAsync<DeploymentListResponse>(HttpMethod.Get, path, null, cancellationToken, HttpStatusCode.OK);
        if (cli.Json)
        {
            cli.WriteJson(page);
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Id", "Model", "Server", "Engine", "Format", "State", "Since", "Deployed by");
        foreach (var d in page.Items)
        {
            table.AddRow(Markup.Escape(d.Id), Markup.Escape($"{d.Model}{(d.Version is null ? "" : " " + d.Version)}"), Markup.Escape(d.Server), Markup.Escape(d.Engine ?? "—"),
                Markup.Escape(string.Join(" ", new[] { d.Format, d.SizeInBillions is { } b ? b + "B" : null, d.Quantization }.OfType<string>())),
                Name(d.State), d.StateChangedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Markup.Escape(d.CreatedBy));
        }
        cli.Console.Write(table);
        cli.Console.MarkupLineInterpolated($"{page.Items.Count} deployment(s){(page.ContinuationToken is null ? "" : "; more with a larger --limit")}");
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(CliContext cli, string id, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var d = await ExpectAsync(hub, HttpMethod.Get, $"api/deployments/{Uri.EscapeDataString(id)}", null, cancellationToken);
        if (cli.Json)
        {
            cli.WriteJson(d);
            return ExitCodes.Ok;
        }
        var (grid, Row) = CliContext.FieldGrid();
        Row("Id", d.Id);
        Row("Model", $"{d.Model}{(d.Version is null ? "" : " " + d.Version)} ({d.ModelType})");
        Row("Server", $"{d.Server} — {d.Endpoint}");
        Row("Launch", string.Join(", ", new[] { d.Engine, d.Format, d.SizeInBillions is { } b ? b + "B" : null, d.Quantization, $"{d.Replicas} replica(s)",
            $"gpus {(d.Gpus is { } g ? g.GetRawText() : "none")}" }.OfType<string>()));
        Row("Parameters", d.Parameters.ValueKind == JsonValueKind.Object && d.Parameters.EnumerateObject().Any() ? d.Parameters.GetRawText() : null);
        Row("Environment", d.Env.Count == 0 ? null : string.Join(", ", d.Env.Select(e => $"{e.Key}={e.Value}")));
        Row("State", Name(d.State) + (d.State == DeploymentState.Launching && d.Progress is { } p ? $" {p:P0}{(d.Stage is { } stage ? $" ({stage})" : "")}" : ""));
        Row("History", string.Join("\n", d.History.Select(h => $"{h.At.ToLocalTime():yyyy-MM-dd HH:mm:ss} {Name(h.State)}{(h.Detail is { } detail ? ": " + detail : "")}")));
        Row("Error", d.Error);
        Row("Deployed by", $"{d.CreatedBy}, {d.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm}");
        cli.Console.Write(grid);
        return ExitCodes.Ok;
    }

    private static async Task<int> DeleteAsync(CliContext cli, string id, bool force, bool noWait, CancellationToken cancellationToken)
    {
        var path = $"api/deployments/{Uri.EscapeDataString(id)}{(force ? "?force=true" : "")}";
        using var hub = cli.Connect();
        var answer = await hub.SendAsync<DeploymentDto>(HttpMethod.Delete, path, null, cancellationToken);
        if (answer.Status == HttpStatusCode.NoContent)
        {
            cli.Say($"Deleted {id}.");
            return ExitCodes.Ok;
        }
        if (answer is not { IsSuccess: true, Value: { } deployment })
        {
            throw HubClient.Problem(HttpMethod.Delete, path, answer);
        }
        cli.Say($"Stopping {deployment.Id} on {deployment.Server}, then forgetting it …");
        if (noWait)
        {
            return ExitCodes.Ok;
        }
        var getPath = $"api/deployments/{Uri.EscapeDataString(id)}";
        while (true)
        {
            await Task.Delay(PollInterval, cancellationToken);
            var current = await hub.SendAsync<DeploymentDto>(HttpMethod.Get, getPath, null, cancellationToken);
            if (current.Status == HttpStatusCode.NotFound)
            {
                cli.Say($"Deleted {id}.");
                return ExitCodes.Ok;
            }
            if (current.Value is { } d && !InProgress(d.State))
            {
                cli.Errors.WriteLine($"Not deleted: {d.Id} is {Name(d.State)}: {d.Error ?? d.History.LastOrDefault()?.Detail}");
                return ExitCodes.Failed;
            }
        }
    }

    private static string Verb(DeploymentState goal) => goal == DeploymentState.Running ? "Starting" : "Stopping";

    private static string Name<T>(T value) where T : struct, Enum => EnumNames<T>.NameOf(value);
}
