using System.CommandLine;
using System.Text.Json;
using ModelsHub.Contracts;
using Spectre.Console;

namespace ModelsHub.Cli;

/// <summary>How a transfer shows its progress: a bar (speed, ETA) on a terminal, a line per chunk otherwise.</summary>
public enum ProgressStyle
{
    Auto,
    Bar,
    Plain,
}

/// <summary>What every command is given: the hub connection, the console, and how to print.</summary>
public sealed class CliContext(Uri hub, string? token, bool json, ProgressStyle progress, IAnsiConsole console, TextWriter output, TextWriter errors)
{
    public Uri Hub => hub;

    public string? Token => token;

    public bool Json => json;

    public IAnsiConsole Console => console;

    public TextWriter Output => output;

    public TextWriter Errors => errors;

    /// <summary>Whether transfers draw a live bar (a terminal, or --progress bar) rather than lines.</summary>
    public bool Bars => !json && (progress == ProgressStyle.Bar || (progress == ProgressStyle.Auto && console.Profile.Capabilities.Interactive));

    public HubClient Connect() => new(hub, token);

    /// <summary>A status line: on the console in human mode, on stderr with --json (stdout carries only the JSON).</summary>
    public void Say(string text)
    {
        if (json)
        {
            errors.WriteLine(text);
        }
        else if (Bars)
        {
            // Through the console, so the line lands above a live bar instead of through it.
            console.WriteLine(text);
        }
        else
        {
            // Plain lines for logs and scripts, never wrapped at a terminal width.
            output.WriteLine(text);
        }
    }

    /// <summary>A grid of labelled fields as the show commands print one thing (a missing or empty value is a dash), and how to add a row.</summary>
    public static (Grid Grid, Action<string, string?> Row) FieldGrid()
    {
        var grid = new Grid().AddColumn().AddColumn();
        return (grid, (label, value) => grid.AddRow(new Markup($"[bold]{Markup.Escape(label)}[/]"), new Text(string.IsNullOrEmpty(value) ? "—" : value)));
    }

    public void WriteJson<T>(T value) => output.WriteLine(JsonSerializer.Serialize(value, IndentedJson));

    private static readonly JsonSerializerOptions IndentedJson = new(ContractJson.Options) { WriteIndented = true };
}

/// <summary>The <c>modelshub</c> command tree (System.CommandLine): help, tab completion, typed options.</summary>
public static class CliApp
{
    public static readonly Option<string?> HubOption = new("--hub")
    {
        Description = "The hub's address (default: $MODELSHUB_URL, the hub you logged in to, http://localhost:7071).",
        Recursive = true,
        HelpName = "url",
    };

    public static readonly Option<string?> TokenOption = new("--token")
    {
        Description = "A bearer token (default: $MODELSHUB_TOKEN, or the token saved by login).",
        Recursive = true,
    };

    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print the result as JSON (for scripts); messages go to stderr.",
        Recursive = true,
    };

    public static readonly Option<ProgressStyle> ProgressOption = new("--progress")
    {
        Description = "How transfers show progress: auto (a bar on a terminal), bar, plain (a line per chunk).",
        Recursive = true,
        DefaultValueFactory = _ => ProgressStyle.Auto,
    };

    public static RootCommand Build(TextWriter output, TextWriter errors, IAnsiConsole console)
    {
        var root = new RootCommand("ModelsHub from the command line: sign in, browse and register models and datasets, upload and download files (resumable, checked), test calls, import models from Hugging Face, train and follow training jobs, deploy models on inference servers.");
        root.Options.Add(HubOption);
        root.Options.Add(TokenOption);
        root.Options.Add(JsonOption);
        root.Options.Add(ProgressOption);
        Func<System.CommandLine.ParseResult, CliContext> context = parse =>
        {
            var settings = CliSettings.Load();
            var hub = CliSettings.ResolveHub(parse.GetValue(HubOption), settings);
            return new CliContext(hub, CliSettings.ResolveToken(parse.GetValue(TokenOption), hub, settings), parse.GetValue(JsonOption),
                parse.GetValue(ProgressOption), console, output, errors);
        };
        root.Subcommands.Add(LoginCommand.Build(context, Run));
        root.Subcommands.Add(ModelsCommands.Build(context, Run));
        root.Subcommands.Add(UploadCommand.Build(context, Run));
        root.Subcommands.Add(DownloadCommand.Build(context, Run));
        root.Subcommands.Add(DatasetsCommands.Build(context, Run));
        root.Subcommands.Add(TestCommand.Build(context, Run));
        root.Subcommands.Add(ImportCommands.Build(context, Run));
        root.Subcommands.Add(TrainingCommands.BuildTrain(context, Run));
        root.Subcommands.Add(TrainingCommands.BuildJobs(context, Run));
        root.Subcommands.Add(DeployCommands.Build(context, Run));
        return root;
    }

    /// <summary>Runs a command's work with the CLI's exit codes: hub refusals and unreachable hubs are messages, not stack traces.</summary>
    public static async Task<int> Run(CliContext context, Func<Task<int>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await work();
        }
        catch (UsageException ex)
        {
            await context.Errors.WriteLineAsync(ex.Message);
            return ExitCodes.Usage;
        }
        catch (HubRequestException ex)
        {
            await context.Errors.WriteLineAsync(ex.Message);
            return ExitCodes.Failed;
        }
        catch (HttpRequestException ex)
        {
            await context.Errors.WriteLineAsync($"The hub at {context.Hub} could not be reached: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await context.Errors.WriteLineAsync("interrupted");
            return ExitCodes.Interrupted;
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (args.Contains("--progress") && args.SkipWhile(a => a != "--progress").Skip(1).FirstOrDefault() is "bar")
        {
            // Asked for bars though the output is not a terminal (a pipe, a test): draw them anyway.
            console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(Console.Out),
                Interactive = InteractionSupport.Yes,
                Ansi = AnsiSupport.Yes,
            });
        }
        var root = Build(Console.Out, Console.Error, console);
        var parse = root.Parse(args);
        var exit = await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });
        // A command line that does not parse (a missing file, an unknown value) is bad usage, as the README's exit codes say.
        return parse.Action is System.CommandLine.Invocation.ParseErrorAction ? ExitCodes.Usage : exit;
    }
}
