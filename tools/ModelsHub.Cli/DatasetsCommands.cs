using System.CommandLine;
using System.Globalization;
using System.Net;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Contracts.Versions;
using Spectre.Console;

namespace ModelsHub.Cli;

/// <summary>
/// <c>modelshub datasets create|list|show|upload</c>: datasets as tables, or JSON with --json.
/// <c>datasets upload FILE NAME</c> is <c>upload FILE --dataset NAME</c> (one command underneath).
/// </summary>
public static class DatasetsCommands
{
    /// <summary>What <c>datasets show --json</c> prints: the dataset and its versions (with what validating each found).</summary>
    public sealed record DatasetDetails(DatasetDto Dataset, IReadOnlyList<VersionDto> Versions);

    public static Command Build(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var datasets = new Command("datasets", "Create, list, show datasets and upload their files.");

        var name = new Argument<string>("name") { Description = "The new dataset's name (letters, digits, '.', '_', '-')." };
        var format = CliOptions.Enum<DatasetFormat>("--format", "The format of its files.", "-f");
        format.Required = true;
        var visibility = CliOptions.Enum<DatasetVisibility>("--visibility", "private (default) or public.");
        var description = new Option<string?>("--description", "-d") { Description = "What the data is." };
        var create = new Command("create", "Create a dataset (datasets.manage).") { name, format, visibility, description };
        create.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            var request = new DatasetRequest(parse.GetValue(name), parse.GetValue(description), parse.GetValue(format), parse.GetValue(visibility), null);
            return run(cli, () => CreateAsync(cli, request, ct), ct);
        });

        var status = CliOptions.Enum<DatasetStatus>("--status", "Only datasets in this state (ready: what training offers).");
        var byFormat = CliOptions.Enum<DatasetFormat>("--format", "Only datasets of this format.");
        var owner = new Option<string?>("--owner") { Description = "Only this user's datasets." };
        var mine = new Option<bool>("--mine") { Description = "Only your datasets." };
        var query = new Option<string?>("--query", "-q") { Description = "Words that must all match the name, description or tags." };
        var list = new Command("list", "List the datasets you may see.") { status, byFormat, owner, mine, query };
        list.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            var filters = new List<string>();
            if (parse.GetValue(status) is { } s) filters.Add("status=" + EnumNames<DatasetStatus>.NameOf(s));
            if (parse.GetValue(byFormat) is { } f) filters.Add("format=" + EnumNames<DatasetFormat>.NameOf(f));
            if (parse.GetValue(owner) is { } o) filters.Add("owner=" + Uri.EscapeDataString(o));
            if (parse.GetValue(mine)) filters.Add("mine=true");
            if (parse.GetValue(query) is { } q) filters.Add("q=" + Uri.EscapeDataString(q));
            return run(cli, () => ListAsync(cli, filters, ct), ct);
        });

        var shown = new Argument<string>("name") { Description = "The dataset's name." };
        var errors = new Option<int>("--errors") { Description = "How many validation errors to show per version (0-100).", DefaultValueFactory = _ => 5 };
        errors.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > DatasetValidationErrorsMax) r.AddError($"--errors must be from 0 to {DatasetValidationErrorsMax}."); });
        var show = new Command("show", "Show a dataset: its fields, its versions with their status, records and token estimate, and the first validation errors.") { shown, errors };
        show.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, () => ShowAsync(cli, parse.GetValue(shown)!, parse.GetValue(errors), ct), ct);
        });

        var file = UploadCommand.FileArgument();
        var into = new Argument<string>("name") { Description = "The dataset to upload into." };
        var options = new UploadCommand.UploadOptions();
        var upload = new Command("upload", "Upload a file into a dataset's version (the same as upload FILE --dataset NAME): resumable; then waits for the validation and prints the records and token estimate, or the first errors with their lines (exit 1).")
        {
            file, into,
        };
        options.AddTo(upload);
        upload.SetAction((parse, ct) =>
            options.RunAsync(context(parse), parse, parse.GetValue(file)!, AssetTarget.From(null, parse.GetValue(into)), run, ct));

        datasets.Subcommands.Add(create);
        datasets.Subcommands.Add(list);
        datasets.Subcommands.Add(show);
        datasets.Subcommands.Add(upload);
        return datasets;
    }

    /// <summary>The hub keeps the first 100 errors of a validation.</summary>
    private const int DatasetValidationErrorsMax = 100;

    private static async Task<int> ShowAsync(CliContext cli, string name, int errorsShown, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var target = AssetTarget.From(null, name);
        var dataset = await hub.ExpectAsync<DatasetDto>(HttpMethod.Get, target.Path, null, cancellationToken, HttpStatusCode.OK);
        var versions = await hub.ExpectAsync<VersionListResponse>(HttpMethod.Get, target.Path + "/versions", null, cancellationToken, HttpStatusCode.OK);
        if (cli.Json)
        {
            cli.WriteJson(new DatasetDetails(dataset, versions.Items));
            return ExitCodes.Ok;
        }
        var (grid, Row) = CliContext.FieldGrid();
        Row("Name", dataset.Name);
        Row("Description", dataset.Description);
        Row("Format", Name(dataset.Format));
        Row("Visibility", Name(dataset.Visibility));
        Row("Owner", dataset.Owner);
        Row("Status", Name(dataset.Status));
        Row("Tags", string.Join(", ", dataset.Tags));
        Row("Default version", dataset.DefaultVersion is null ? null : dataset.DefaultVersion + (dataset.DefaultVersionPinned ? " (pinned)" : " (newest ready)"));
        Row("Records", Count(dataset.RecordCount));
        Row("Size", dataset.SizeBytes is { } size ? $"{Count(size)} bytes" : null);
        Row("Tokens", dataset.TokenEstimate is { } tokens ? "~" + Count(tokens) : null);
        Row("Updated", dataset.UpdatedAt.ToString("u", CultureInfo.InvariantCulture));
        cli.Console.Write(grid);

        if (versions.Items.Count == 0)
        {
            cli.Console.WriteLine($"No versions yet: modelshub datasets upload FILE {dataset.Name}");
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Version", "Status", "Records", "Tokens", "Size", "Errors", "Created", "By");
        foreach (var v in versions.Items)
        {
            var found = v.Validation;
            table.AddRow(Markup.Escape(v.Label + (v.IsDefault ? " *" : "")), Name(v.Status), Count(found?.RecordCount) ?? "-",
                found?.Tokens is { } t ? "~" + Count(t.Tokens) : "-", Count(v.TotalSize) ?? "-", Count(found?.ErrorCount) ?? "-",
                v.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Markup.Escape(v.CreatedBy));
        }
        cli.Console.Write(table);
        cli.Console.WriteLine($"{versions.Items.Count} version(s); * the default");
        foreach (var v in versions.Items)
        {
            if (v.Validation is { ErrorCount: > 0 } found)
            {
                cli.Console.WriteLine(ValidationReport.ErrorsHeading(v.Label + ": ", found.ErrorCount, errorsShown));
                foreach (var error in found.Errors.Take(errorsShown))
                {
                    cli.Console.WriteLine("  " + ValidationReport.ErrorLine(error));
                }
            }
            else if (v.Status == VersionStatus.Failed && v.FailureReason is { } reason)
            {
                cli.Console.WriteLine($"{v.Label}: failed: {reason}");
            }
        }
        return ExitCodes.Ok;
    }

    private static string? Count(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture);

    private static async Task<int> CreateAsync(CliContext cli, DatasetRequest request, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var dataset = await hub.ExpectAsync<DatasetDto>(HttpMethod.Post, "api/datasets", request, cancellationToken, HttpStatusCode.Created);
        if (cli.Json) cli.WriteJson(dataset);
        else cli.Say($"dataset {dataset.Name} created ({Name(dataset.Format)}, {Name(dataset.Visibility)})");
        return ExitCodes.Ok;
    }

    private static async Task<int> ListAsync(CliContext cli, List<string> filters, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var items = new List<DatasetDto>();
        string? token = null;
        do
        {
            var page = await hub.ExpectAsync<DatasetListResponse>(HttpMethod.Get,
                "api/datasets?" + string.Join("&", filters.Append("pageSize=100").Concat(token is null ? [] : [$"continuationToken={Uri.EscapeDataString(token)}"])),
                null, cancellationToken, HttpStatusCode.OK);
            items.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        if (cli.Json)
        {
            cli.WriteJson(items);
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Name", "Format", "Status", "Version", "Records", "Size", "Owner");
        foreach (var d in items)
        {
            table.AddRow(Markup.Escape(d.Name), Name(d.Format), Name(d.Status), Markup.Escape(d.DefaultVersion ?? "-"),
                d.RecordCount?.ToString("N0", CultureInfo.InvariantCulture) ?? "-", d.SizeBytes?.ToString("N0", CultureInfo.InvariantCulture) ?? "-", Markup.Escape(d.Owner));
        }
        cli.Console.Write(table);
        cli.Console.MarkupLineInterpolated($"{items.Count} dataset(s)");
        return ExitCodes.Ok;
    }

    private static string Name<T>(T value) where T : struct, Enum => EnumNames<T>.NameOf(value);
}
