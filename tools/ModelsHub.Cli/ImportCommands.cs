using System.CommandLine;
using System.Globalization;
using System.Net;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Imports;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Users;
using Spectre.Console;

namespace ModelsHub.Cli;

/// <summary>
/// <c>modelshub import hf|list|show|cancel|token</c>: a Hugging Face repository becomes a version of a
/// hub model. <c>import hf</c> shows the selected files and their sizes first (<c>--dry-run</c> stops
/// there), starts the import, and follows the hub's copy with a progress bar until the version is
/// ready and every file verified. The copy runs on the hub: Ctrl+C only stops following it.
/// </summary>
public static class ImportCommands
{
    /// <summary>How often a followed import is read again.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Build(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var import = new Command("import", "Import models from Hugging Face (sources.manage): preview the files and sizes, import, follow, cancel.");

        var repo = new Argument<string>("repo") { Description = "The repository id on the Hub (gpt2, openai-community/gpt2, ...)." };
        var revision = new Option<string?>("--revision", "-r") { Description = "A branch, tag or commit (default: main)." };
        var include = new Option<string[]>("--include", "-i") { Description = "Only files matching this glob (fnmatch, as huggingface_hub's allow_patterns; repeat for more; 'onnx/' is a folder).", AllowMultipleArgumentsPerToken = false };
        var exclude = new Option<string[]>("--exclude", "-x") { Description = "Leave out files matching this glob (repeat for more).", AllowMultipleArgumentsPerToken = false };
        var model = new Option<string?>("--model", "-m") { Description = "The hub model the files go to: an existing model gets a new version; default: the repository's name." };
        var type = CliOptions.Enum<ModelType>("--type", "The new model's type (default: from the repository's pipeline tag).");
        var framework = CliOptions.Enum<ModelFramework>("--framework", "The new model's framework (default: from the repository's library).");
        var visibility = CliOptions.Enum<ModelVisibility>("--visibility", "private (default) or public (goes to review without the permission).");
        var description = new Option<string?>("--description", "-d") { Description = "The new model's description." };
        var tags = new Option<string[]>("--tag") { Description = "A tag of the new model (repeat for more).", AllowMultipleArgumentsPerToken = false };
        var version = new Option<string?>("--version", "-v") { Description = "The version's label (default: the suggested next label)." };
        var notes = new Option<string?>("--notes") { Description = "The version's notes." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show what would be copied (files, sizes, total, the model's type and framework)." };
        var noWait = new Option<bool>("--no-wait") { Description = "Start the import and return; follow it later with 'import show'." };
        var hf = new Command("hf", "Import a Hugging Face repository's files as a version of a model: the files and sizes first, then the copy with its progress; every file is verified against the Hub's SHA-256.")
        {
            repo, revision, include, exclude, model, type, framework, visibility, description, tags, version, notes, dryRun, noWait,
        };
        hf.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            var request = new HuggingFaceImportRequestBody(parse.GetValue(repo)!, parse.GetValue(revision), NullIfEmpty(parse.GetValue(include)), NullIfEmpty(parse.GetValue(exclude)),
                new ImportModelFields(parse.GetValue(model), parse.GetValue(type), parse.GetValue(framework), parse.GetValue(visibility), parse.GetValue(description), NullIfEmpty(parse.GetValue(tags))),
                new ImportVersionFields(parse.GetValue(version), parse.GetValue(notes)));
            return run(cli, () => ImportAsync(cli, request, parse.GetValue(dryRun), !parse.GetValue(noWait), ct), ct);
        });

        var all = new Option<bool>("--all") { Description = "Everyone's imports (administrators)." };
        var list = new Command("list", "Your imports, newest first.") { all };
        list.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, () => ListAsync(cli, parse.GetValue(all), ct), ct);
        });

        var id = new Argument<string>("id") { Description = "The import's id (hf-…)." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Follow it until it ends, with its progress." };
        var show = new Command("show", "An import: its state, files with bytes done and total, the model and version it writes, its error.") { id, follow };
        show.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, () => ShowAsync(cli, parse.GetValue(id)!, parse.GetValue(follow), ct), ct);
        });

        var cancelId = new Argument<string>("id") { Description = "The import's id (hf-…)." };
        var cancel = new Command("cancel", "Stop an import: the hub stops at the next chunk and takes back what it added.") { cancelId };
        cancel.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, () => CancelAsync(cli, parse.GetValue(cancelId)!, ct), ct);
        });

        var token = new Argument<string?>("token") { Description = "Your Hugging Face token (hf_…), for gated and private repositories; without it, the saved one is shown.", Arity = ArgumentArity.ZeroOrOne };
        var forget = new Option<bool>("--forget") { Description = "Forget the saved token." };
        var tokenCommand = new Command("token", "Save your Hugging Face token (checked with the Hub, kept encrypted), show it (last four characters), or forget it.") { token, forget };
        tokenCommand.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, () => TokenAsync(cli, parse.GetValue(token), parse.GetValue(forget), ct), ct);
        });

        import.Subcommands.Add(hf);
        import.Subcommands.Add(list);
        import.Subcommands.Add(show);
        import.Subcommands.Add(cancel);
        import.Subcommands.Add(tokenCommand);
        return import;
    }

    private static IReadOnlyList<string>? NullIfEmpty(string[]? values) => values is { Length: > 0 } ? values : null;

    private static async Task<int> ImportAsync(CliContext cli, HuggingFaceImportRequestBody request, bool dryRun, bool wait, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var query = new List<string> { "repoId=" + Uri.EscapeDataString(request.RepoId) };
        if (request.Revision is { } r) query.Add("revision=" + Uri.EscapeDataString(r));
        query.AddRange((request.Include ?? []).Select(g => "include=" + Uri.EscapeDataString(g)));
        query.AddRange((request.Exclude ?? []).Select(g => "exclude=" + Uri.EscapeDataString(g)));
        var preview = await hub.ExpectAsync<ImportPreviewDto>(HttpMethod.Get, "api/imports/huggingface/preview?" + string.Join('&', query), null, cancellationToken, HttpStatusCode.OK);
        if (dryRun && cli.Json)
        {
            cli.WriteJson(preview);
            return ExitCodes.Ok;
        }
        WritePreview(cli, preview, request.Model?.Name);
        if (dryRun)
        {
            return ExitCodes.Ok;
        }

        var started = await hub.ExpectAsync<ImportDto>(HttpMethod.Post, "api/imports/huggingface", request, cancellationToken, HttpStatusCode.Accepted);
        cli.Say($"import {started.Id} started: {started.RepoId}@{Short(started.Commit)} into model {started.Model}");
        if (!wait)
        {
            if (cli.Json) cli.WriteJson(started);
            else cli.Say($"follow it with: modelshub import show {started.Id} --follow");
            return ExitCodes.Ok;
        }
        return await FollowAsync(cli, hub, started, cancellationToken);
    }

    private static void WritePreview(CliContext cli, ImportPreviewDto preview, string? model)
    {
        var header = $"{preview.RepoId}@{Short(preview.Commit)} ({preview.Revision}): {preview.FileCount} file(s), {Size(preview.TotalBytes)} → model {model ?? preview.ModelName} ({Name(preview.Type)}, {Name(preview.Framework)})"
            + (preview.Gated is { } gated ? $"; gated ({gated})" : "") + (preview.Private ? "; private" : "");
        if (cli.Json)
        {
            cli.Say(header);
            return;
        }
        var table = new Table().AddColumns("File", "Size", "LFS");
        table.Columns[1].RightAligned();
        foreach (var f in preview.Files)
        {
            table.AddRow(Markup.Escape(f.Path), f.Size.ToString("N0", CultureInfo.InvariantCulture), f.Lfs ? "yes" : "");
        }
        cli.Console.Write(table);
        cli.Say(header);
        if (preview.Skipped.Count > 0)
        {
            cli.Say($"{preview.Skipped.Count} file(s) left out ({Size(preview.Skipped.Sum(s => s.Size))})");
        }
    }

    /// <summary>Reads the import until it ends, with a bar of its bytes on a terminal and a line per finished file otherwise.</summary>
    private static async Task<int> FollowAsync(CliContext cli, HubClient hub, ImportDto import, CancellationToken cancellationToken)
    {
        var path = $"api/imports/{Uri.EscapeDataString(import.Id)}";
        ImportDto final;
        try
        {
            final = await TransferProgress.RunAsync(cli, $"{import.RepoId} → {import.Model}", import.TotalBytes, 0, async progress =>
            {
                var shown = 0L;
                var done = new HashSet<string>(StringComparer.Ordinal);
                var current = import;
                while (true)
                {
                    progress.Advance(current.BytesDone - shown);
                    shown = current.BytesDone;
                    foreach (var file in current.Files.Where(f => f.State == ImportFileState.Done && done.Add(f.Path)))
                    {
                        cli.Say($"{file.Path} copied and verified ({done.Count}/{current.FileCount}, {Size(file.Size)}, sha256 {file.Sha256})");
                    }
                    if (current.State is ImportState.Succeeded or ImportState.Failed or ImportState.Cancelled)
                    {
                        return current;
                    }
                    await Task.Delay(PollInterval, cancellationToken);
                    current = await hub.ExpectAsync<ImportDto>(HttpMethod.Get, path, null, cancellationToken, HttpStatusCode.OK);
                }
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await cli.Errors.WriteLineAsync($"stopped following; the import goes on at the hub: modelshub import show {import.Id} --follow (or import cancel {import.Id})");
            throw;
        }
        return Outcome(cli, final);
    }

    /// <summary>Prints how an import ended; exit 0 only when it succeeded.</summary>
    private static int Outcome(CliContext cli, ImportDto import)
    {
        if (cli.Json)
        {
            cli.WriteJson(import);
        }
        switch (import.State)
        {
            case ImportState.Succeeded:
                cli.Say($"imported {import.RepoId}@{Short(import.Commit)}: model {import.Model} version {import.Version} is ready, {import.FileCount} file(s) verified ({Size(import.TotalBytes)})");
                if (import.Notice is { } notice) cli.Say(notice);
                return ExitCodes.Ok;
            case ImportState.Failed:
                cli.Errors.WriteLine($"import {import.Id} failed: {import.Error}");
                return ExitCodes.Failed;
            case ImportState.Cancelled:
                cli.Errors.WriteLine($"import {import.Id} was cancelled; nothing was kept");
                return ExitCodes.Failed;
            default:
                cli.Say($"import {import.Id} is {Name(import.State)}: {import.FilesDone}/{import.FileCount} file(s), {Size(import.BytesDone)} of {Size(import.TotalBytes)}");
                return ExitCodes.Ok;
        }
    }

    private static async Task<int> ShowAsync(CliContext cli, string id, bool follow, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var import = await hub.ExpectAsync<ImportDto>(HttpMethod.Get, $"api/imports/{Uri.EscapeDataString(id)}", null, cancellationToken, HttpStatusCode.OK);
        if (follow)
        {
            return await FollowAsync(cli, hub, import, cancellationToken);
        }
        if (cli.Json)
        {
            cli.WriteJson(import);
            return ExitCodes.Ok;
        }
        var (grid, Row) = CliContext.FieldGrid();
        Row("Import", import.Id);
        Row("State", Name(import.State));
        Row("Repository", $"{import.RepoId}@{import.Commit} ({import.Revision})");
        Row("Model", import.Model + (import.ModelCreated ? " (registered by this import)" : ""));
        Row("Version", import.Version);
        Row("Progress", $"{import.FilesDone}/{import.FileCount} file(s), {Size(import.BytesDone)} of {Size(import.TotalBytes)}");
        Row("Error", import.Error);
        Row("Notice", import.Notice);
        Row("Started by", $"{import.CreatedBy} at {import.CreatedAt:u}");
        cli.Console.Write(grid);
        // A line per file rather than a table: a SHA-256 fits no column of an 80-character terminal.
        foreach (var f in import.Files)
        {
            cli.Say(string.Create(CultureInfo.InvariantCulture,
                $"{f.Path}  {Name(f.State)}  {f.BytesDone:N0}/{f.Size:N0} bytes  sha256 {f.Sha256 ?? f.ExpectedSha256 ?? "(computed once copied)"}"));
        }
        return ExitCodes.Ok;
    }

    private static async Task<int> ListAsync(CliContext cli, bool all, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var page = await hub.ExpectAsync<ImportListResponse>(HttpMethod.Get, all ? "api/imports?all=true" : "api/imports", null, cancellationToken, HttpStatusCode.OK);
        if (cli.Json)
        {
            cli.WriteJson(page);
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Import", "Repository", "Model", "Version", "State", "Progress", "Started");
        foreach (var i in page.Items)
        {
            table.AddRow(Markup.Escape(i.Id), Markup.Escape(i.RepoId), Markup.Escape(i.Model), Markup.Escape(i.Version ?? "—"), Name(i.State),
                $"{Size(i.BytesDone)} / {Size(i.TotalBytes)}", i.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }
        cli.Console.Write(table);
        cli.Console.MarkupLineInterpolated($"{page.Items.Count} import(s)");
        return ExitCodes.Ok;
    }

    private static async Task<int> CancelAsync(CliContext cli, string id, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var import = await hub.ExpectAsync<ImportDto>(HttpMethod.Post, $"api/imports/{Uri.EscapeDataString(id)}/cancel", null, cancellationToken, HttpStatusCode.Accepted);
        if (cli.Json) cli.WriteJson(import);
        else cli.Say($"import {import.Id}: cancelling; the hub takes back what it added");
        return ExitCodes.Ok;
    }

    private static async Task<int> TokenAsync(CliContext cli, string? token, bool forget, CancellationToken cancellationToken)
    {
        const string path = "api/me/huggingface-token";
        using var hub = cli.Connect();
        if (forget)
        {
            var gone = await hub.SendAsync<System.Text.Json.JsonDocument>(HttpMethod.Delete, path, null, cancellationToken);
            if (!gone.IsSuccess) throw HubClient.Problem(HttpMethod.Delete, path, gone);
            cli.Say("your Hugging Face token is forgotten");
            return ExitCodes.Ok;
        }
        UserTokenDto saved;
        if (token is null)
        {
            var answer = await hub.SendAsync<UserTokenDto>(HttpMethod.Get, path, null, cancellationToken);
            if (answer.Status == HttpStatusCode.NotFound)
            {
                cli.Say("no Hugging Face token saved; gated and private repositories need one: modelshub import token hf_…");
                return ExitCodes.Failed;
            }
            saved = answer.IsSuccess && answer.Value is { } value ? value : throw HubClient.Problem(HttpMethod.Get, path, answer);
        }
        else
        {
            saved = await hub.ExpectAsync<UserTokenDto>(HttpMethod.Put, path, new UserTokenRequest(token), cancellationToken, HttpStatusCode.OK);
        }
        if (cli.Json) cli.WriteJson(saved);
        else cli.Say($"Hugging Face token …{saved.LastFour} of {saved.Login} ({string.Join(", ", saved.Scopes)}), checked {saved.ValidatedAt:u}");
        return ExitCodes.Ok;
    }

    private static string Short(string commit) => commit.Length > 7 ? commit[..7] : commit;

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private static string Name<T>(T value) where T : struct, Enum => EnumNames<T>.NameOf(value);
}
