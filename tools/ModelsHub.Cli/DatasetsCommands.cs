using System.CommandLine;
using System.Globalization;
using System.Net;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Datasets;
using Spectre.Console;

namespace ModelsHub.Cli;

/// <summary><c>modelshub datasets create|list</c>: datasets as tables, or JSON with --json. Their files go through <c>upload --dataset</c>.</summary>
public static class DatasetsCommands
{
    public static Command Build(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var datasets = new Command("datasets", "Create and list datasets (their files: upload --dataset).");

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

        datasets.Subcommands.Add(create);
        datasets.Subcommands.Add(list);
        return datasets;
    }

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
