using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.ApiModels;

namespace ModelsHub.Cli;

/// <summary>
/// <c>modelshub test MODEL [PROMPT]</c>: one call of a model through the hub's test endpoint (the console's
/// "test" button), with a prompt or a conversation from a file, and what came back: the output, why it
/// stopped, tokens in and out, latency. Exit 0 when the model answered, 1 when it did not (stopped, the
/// provider failed or timed out, no access), 2 when the hub found the input bad.
/// </summary>
public static class TestCommand
{
    /// <summary>The hub's limit on a prompt (and on a system message).</summary>
    private const int MaxPromptLength = 100_000;

    public static Command Build(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var model = new Argument<string>("model") { Description = "The model's name (one the hub calls: an API model with its provider set)." };
        var prompt = new Argument<string?>("prompt") { Description = "What to ask (the user message).", Arity = ArgumentArity.ZeroOrOne };
        var messages = new Option<FileInfo>("--messages")
        {
            Description = "A JSON file with the conversation: [{\"role\": \"user\", \"content\": \"...\"}, ...] (OpenAI's shape); the prompt, if given, is added last.",
            HelpName = "file",
        };
        messages.AcceptExistingOnly();
        var system = new Option<string?>("--system", "-s") { Description = "A system message first." };
        var maxTokens = new Option<int?>("--max-tokens", "-n") { Description = "The most tokens the answer may have." };
        maxTokens.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1 or > 1_000_000) r.AddError("--max-tokens must be from 1 to 1000000."); });
        var temperature = new Option<double?>("--temperature", "-t") { Description = "Sampling temperature (0-2)." };
        temperature.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is < 0 or > 2) r.AddError("--temperature must be from 0 to 2."); });
        var command = new Command("test", "Call a model once through the hub (recorded as a test call in its usage) and show the answer, finish reason, tokens and latency. Exit 0 when it answered, 1 when it did not, 2 on bad input.")
        {
            model, prompt, messages, system, maxTokens, temperature,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(prompt) is null && r.GetValue(messages) is null)
            {
                r.AddError("Give a prompt, or --messages FILE with the conversation.");
            }
            if (r.GetValue(prompt) is { Length: > MaxPromptLength } || r.GetValue(system) is { Length: > MaxPromptLength })
            {
                r.AddError($"A prompt or system message may have at most {MaxPromptLength:N0} characters.");
            }
        });
        command.SetAction((parse, cancellationToken) =>
        {
            var cli = context(parse);
            return run(cli, async () =>
            {
                var conversation = parse.GetValue(messages) is { } file ? await ReadMessagesAsync(file, cancellationToken) : null;
                var input = new TestInputData(parse.GetValue(prompt), conversation, parse.GetValue(system), parse.GetValue(maxTokens), parse.GetValue(temperature));
                return await RunAsync(cli, parse.GetValue(model)!, new TestRequest(input), cancellationToken);
            }, cancellationToken);
        });
        return command;
    }

    private static async Task<IReadOnlyList<TestMessage>> ReadMessagesAsync(FileInfo file, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = file.OpenRead();
            return await JsonSerializer.DeserializeAsync<List<TestMessage>>(stream, ContractJson.Options, cancellationToken)
                ?? throw new UsageException($"--messages {file.Name}: expected a JSON array of {{role, content}} messages, found null.");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--messages {file.Name}: expected a JSON array of {{role, content}} messages: {ex.Message}");
        }
    }

    private static async Task<int> RunAsync(CliContext cli, string model, TestRequest request, CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var path = $"api/models/{Uri.EscapeDataString(model)}/test";
        var answer = await hub.SendAsync<TestResultDto>(HttpMethod.Post, path, request, cancellationToken);
        if (answer is not { IsSuccess: true, Value: { } result })
        {
            var problem = HubClient.Problem(HttpMethod.Post, path, answer);
            // The hub judged the input (a field named): the command line was wrong, not the model.
            if (answer.Status is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
            {
                throw new UsageException(problem.Message);
            }
            throw problem;
        }
        if (cli.Json)
        {
            cli.WriteJson(result);
            return ExitCodes.Ok;
        }
        if (result.Embedding is { } embedding)
        {
            cli.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"embedding: {embedding.Dimensions} dimensions, first values {string.Join(", ", embedding.FirstValues.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))}"));
        }
        else
        {
            cli.Output.WriteLine(result.Output);
        }
        var finish = result.FinishReason is { } reason ? $", finish {reason}{(reason == "length" ? " (cut at --max-tokens)" : "")}" : "";
        cli.Errors.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Model}{(result.Version is null ? "" : " " + result.Version)}: {result.TokensIn:N0} tokens in, {result.TokensOut:N0} out, {result.LatencyMs:N0} ms{finish}"));
        return ExitCodes.Ok;
    }
}
