using System.CommandLine;
using System.Net;
using ModelsHub.Contracts;
using System.Text.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Reviews;
using Spectre.Console;

namespace ModelsHub.Cli;

/// <summary><c>modelshub models list|show|create</c>: the catalog as tables, or JSON with --json.</summary>
public static class ModelsCommands
{
    public static Command Build(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var models = new Command("models", "Browse and register models.");

        var query = new Option<string?>("--query", "-q") { Description = "Words that must all match the name, description, tags or type." };
        var type = CliOptions.Enum<ModelType>("--type", "Only models of this type.");
        var mine = new Option<bool>("--mine") { Description = "Only your models." };
        var pageSize = new Option<int>("--limit") { Description = "How many models (1-100).", DefaultValueFactory = _ => 20 };
        pageSize.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100) r.AddError("--limit must be from 1 to 100."); });
        var list = new Command("list", "List the models you may see (newest changes first).") { query, type, mine, pageSize };
        list.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, () => ListAsync(cli, parse.GetValue(query), parse.GetValue(type), parse.GetValue(mine), parse.GetValue(pageSize), ct), ct);
        });

        var name = new Argument<string>("name") { Description = "The model's name." };
        var show = new Command("show", "Show a model: its fields, default version and pull request.") { name };
        show.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return run(cli, () => ShowAsync(cli, parse.GetValue(name)!, ct), ct);
        });

        var newName = new Argument<string>("name") { Description = "The new model's name (letters, digits, '.', '_', '-')." };
        var newType = CliOptions.Enum<ModelType>("--type", "The model's type.", "-t");
        newType.Required = true;
        var description = new Option<string?>("--description", "-d") { Description = "What the model is." };
        var visibility = CliOptions.Enum<ModelVisibility>("--visibility", "private (default) or public (goes to review without the permission).");
        var framework = CliOptions.Enum<ModelFramework>("--framework", "The model's framework.");
        var tags = new Option<string[]>("--tag") { Description = "A tag (repeat for more).", AllowMultipleArgumentsPerToken = false };
        var create = new Command("create", "Register a model (private unless --visibility public).") { newName, newType, description, visibility, framework, tags };
        create.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            var request = new ModelRequest(parse.GetValue(newName), parse.GetValue(newType)!.Value, parse.GetValue(description), null,
                parse.GetValue(tags) is { Length: > 0 } t ? t : null, parse.GetValue(framework), null, parse.GetValue(visibility), null, null, null, null, null);
            return run(cli, () => CreateAsync(cli, request, ct), ct);
        });

        models.Subcommands.Add(list);
        models.Subcommands.Add(show);
        models.Subcommands.Add(create);
        return models;
    }

    private static async Task<int> ListAsync(CliContext cli, string? query, ModelType? type, bool mine, int pageSize, CancellationToken cancellationToken)
    {
        var path = $"api/models?sort=updated&order=desc&pageSize={pageSize}";
        if (query is not null) path += "&q=" + Uri.EscapeDataString(query);
        if (type is { } t) path += "&type=" + EnumNames<ModelType>.NameOf(t);
        if (mine) path += "&mine=true";
        using var hub = cli.Connect();
        var page = await hub.ExpectAsync<ModelListResponse>(HttpMethod.Get, path, null, cancellationToken, HttpStatusCode.OK);
        if (cli.Json)
        {
            cli.WriteJson(page);
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Name", "Type", "Visibility", "Tier", "Owner", "Status", "Updated");
        foreach (var m in page.Items)
        {
            table.AddRow(Markup.Escape(m.Name), Name(m.Type), Name(m.Visibility), Name(m.Tier), Markup.Escape(m.Owner), Name(m.Status), m.UpdatedAt.ToString("yyyy-MM-dd HH:mm"));
        }
        cli.Console.Write(table);
        cli.Console.MarkupLineInterpolated($"{page.Items.Count} model(s){(page.ContinuationToken is null ? "" : "; more with a larger --limit or a narrower --query")}");
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(CliContext cli, string name, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var model = await hub.ExpectAsync<ModelDto>(HttpMethod.Get, $"api/models/{Uri.EscapeDataString(name)}", null, cancellationToken, HttpStatusCode.OK);
        if (cli.Json)
        {
            cli.WriteJson(model);
            return ExitCodes.Ok;
        }
        var (grid, Row) = CliContext.FieldGrid();
        Row("Name", model.Name);
        Row("Type", Name(model.Type));
        Row("Description", model.Description);
        Row("Visibility", $"{Name(model.Visibility)} ({Name(model.Tier)})");
        Row("Owner", model.Owner);
        Row("Status", Name(model.Status));
        Row("Framework", Name(model.Framework));
        Row("Source", Name(model.Source));
        Row("Tags", string.Join(", ", model.Tags));
        Row("Default version", model.DefaultVersion);
        Row("Pull request", model.PullRequest is { } pr ? $"#{pr.Number} {Name(pr.State)} {pr.Url}" : null);
        Row("Updated", model.UpdatedAt.ToString("u"));
        cli.Console.Write(grid);
        return ExitCodes.Ok;
    }

    private static async Task<int> CreateAsync(CliContext cli, ModelRequest request, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var answer = await hub.SendAsync<System.Text.Json.JsonDocument>(HttpMethod.Post, "api/models", request, cancellationToken);
        if (answer.Status == HttpStatusCode.Created)
        {
            var model = answer.Value!.RootElement.Deserialize<ModelDto>(ContractJson.Options)!;
            if (cli.Json) cli.WriteJson(model);
            else cli.Console.MarkupLineInterpolated($"Registered [bold]{model.Name}[/] ({Name(model.Type)}, {Name(model.Visibility)}).");
            return ExitCodes.Ok;
        }
        if (answer.Status == HttpStatusCode.Accepted)
        {
            // A public registration without the permission waits for a reviewer.
            var submission = answer.Value!.RootElement.Deserialize<SubmissionDto>(ContractJson.Options)!;
            if (cli.Json) cli.WriteJson(submission);
            else cli.Console.MarkupLineInterpolated($"Submitted [bold]{request.Name}[/] for review: submission {submission.Id}.");
            return ExitCodes.Ok;
        }
        throw HubClient.Problem(HttpMethod.Post, "api/models", answer);
    }

    private static string Name<T>(T value) where T : struct, Enum => EnumNames<T>.NameOf(value);
}
