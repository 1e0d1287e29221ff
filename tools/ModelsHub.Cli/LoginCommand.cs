using System.CommandLine;
using System.Net;
using ModelsHub.Contracts.Users;
using Spectre.Console;

namespace ModelsHub.Cli;

/// <summary>
/// <c>modelshub login</c>: checks a token with the hub (<c>GET /api/me</c>) and saves it for that hub, so
/// later commands need no --token. The token is a personal access token (or any bearer token the hub
/// accepts, such as a development token); from --token, $MODELSHUB_TOKEN, standard input, or a prompt.
/// </summary>
public static class LoginCommand
{
    public static Command Build(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var withToken = new Option<bool>("--with-token") { Description = "Read the token from standard input (for scripts: echo $TOKEN | modelshub login --with-token)." };
        var command = new Command("login", "Save a token for the hub (checked with the hub first); later commands use it.") { withToken };
        command.SetAction((parse, cancellationToken) =>
        {
            var cli = context(parse);
            return run(cli, () => LoginAsync(cli, parse.GetValue(withToken), cancellationToken), cancellationToken);
        });
        return command;
    }

    private static async Task<int> LoginAsync(CliContext cli, bool fromStdin, CancellationToken cancellationToken)
    {
        var token = fromStdin ? (await Console.In.ReadLineAsync(cancellationToken))?.Trim() : cli.Token;
        if (string.IsNullOrEmpty(token))
        {
            if (!cli.Console.Profile.Capabilities.Interactive)
            {
                throw new UsageException("Give the token with --token, $MODELSHUB_TOKEN or --with-token (standard input).");
            }
            token = await cli.Console.PromptAsync(new TextPrompt<string>($"Token for {cli.Hub}:").Secret(), cancellationToken);
        }
        using var hub = new HubClient(cli.Hub, token);
        var answer = await hub.SendAsync<MeDto>(HttpMethod.Get, "api/me", null, cancellationToken);
        if (answer.Status == HttpStatusCode.Unauthorized)
        {
            throw new HubRequestException($"The hub at {cli.Hub} does not accept this token (401): it is wrong or expired.");
        }
        var me = answer.Value ?? throw HubClient.Problem(HttpMethod.Get, "api/me", answer);
        var settings = CliSettings.Load();
        settings.Hub = cli.Hub.ToString().TrimEnd('/');
        settings.Tokens[CliSettings.Key(cli.Hub)] = token;
        settings.Save();
        if (cli.Json)
        {
            cli.WriteJson(me);
        }
        else
        {
            cli.Console.MarkupLineInterpolated($"Logged in to [bold]{cli.Hub}[/] as [bold]{me.Id}[/]; the token is saved in {CliSettings.FilePath}.");
        }
        return ExitCodes.Ok;
    }
}
