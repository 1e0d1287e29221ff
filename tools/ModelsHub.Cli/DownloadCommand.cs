using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ModelsHub.Cli;

/// <summary>Downloads a model's or a dataset's version file, resuming a partial one with Range, and checks the SHA-256 the hub states (Repr-Digest).</summary>
public sealed class DownloadCommand(CliContext cli, AssetTarget asset, string label, string? file, string? output)
{
    public static Command Build(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var (model, dataset) = AssetTarget.Options("download from");
        var version = new Option<string>("--version", "-v") { Description = "The version's label.", Required = true };
        var file = new Option<string?>("--file", "-f") { Description = "The file's name in the version (may be left out when the version has one file)." };
        var output = new Option<string?>("--out", "-o") { Description = "Where to write it (default: the file's name here); a partial file there is resumed." };
        var command = new Command("download", "Download a model's or a dataset's version file, resuming a partial download, and check its SHA-256.") { model, dataset, version, file, output };
        AssetTarget.RequireOne(command, model, dataset);
        command.SetAction((parse, cancellationToken) =>
        {
            var cli = context(parse);
            var download = new DownloadCommand(cli, AssetTarget.From(parse.GetValue(model), parse.GetValue(dataset)), parse.GetValue(version)!, parse.GetValue(file), parse.GetValue(output));
            return run(cli, () => download.RunAsync(cancellationToken), cancellationToken);
        });
        return command;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var hub = cli.Connect();
        var version = $"{asset.Path}/versions/{Uri.EscapeDataString(label)}";
        var name = file ?? await OnlyFileAsync(hub, version, cancellationToken);
        var target = output ?? name;
        var path = $"{version}/files/{Uri.EscapeDataString(name)}";

        var existing = File.Exists(target) ? new FileInfo(target).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (existing > 0)
        {
            request.Headers.Range = new RangeHeaderValue(existing, null);
        }
        using var response = await hub.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            cli.Say($"{target} is already complete");
        }
        else if (!response.IsSuccessStatusCode)
        {
            throw new HubRequestException($"GET {path}: {(int)response.StatusCode} {response.StatusCode} — {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        else
        {
            var append = response.StatusCode == HttpStatusCode.PartialContent;
            var total = response.Content.Headers.ContentRange?.Length ?? (append ? existing : 0) + (response.Content.Headers.ContentLength ?? 0);
            await using (var sink = new FileStream(target, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1024 * 1024))
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
            {
                try
                {
                    await TransferProgress.RunAsync(cli, name, total, append ? existing : 0, async progress =>
                    {
                        var buffer = new byte[1024 * 1024];
                        int read;
                        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                        {
                            await sink.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                            progress.Advance(read);
                        }
                        return 0;
                    });
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    cli.Say($"interrupted: {sink.Length:N0} bytes in {target}; run the same command again to resume.");
                    return ExitCodes.Interrupted;
                }
            }
            cli.Say(append ? $"resumed at byte {existing:N0}" : "downloaded");
        }

        var expected = ExpectedSha256(response);
        string actual;
        long size;
        await using (var check = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, FileOptions.SequentialScan))
        {
            size = check.Length;
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(check, cancellationToken));
        }
        cli.Say($"{target}: sha256 {actual}");
        if (cli.Json)
        {
            cli.WriteJson(new { path = Path.GetFullPath(target), size, sha256 = actual, verified = expected == actual });
        }
        if (expected is not null && expected != actual)
        {
            throw new HubRequestException($"The file's SHA-256 is {actual} but the hub states {expected}; delete {target} and download again.");
        }
        return ExitCodes.Ok;
    }

    /// <summary>The name of the version's one file; with several, the command must name one.</summary>
    private static async Task<string> OnlyFileAsync(HubClient hub, string version, CancellationToken cancellationToken)
    {
        var found = await hub.ExpectAsync<ModelsHub.Contracts.Versions.VersionDto>(HttpMethod.Get, version, null, cancellationToken, HttpStatusCode.OK);
        return found.Files switch
        {
            [var only] => only.Name,
            [] => throw new HubRequestException($"Version {found.Label} has no file yet."),
            _ => throw new UsageException($"Version {found.Label} has {found.Files.Count} files; name one with --file ({string.Join(", ", found.Files.Select(f => f.Name))})."),
        };
    }

    /// <summary>From <c>Repr-Digest: sha-256=:base64:</c> (RFC 9530), else the plain hex header.</summary>
    private static string? ExpectedSha256(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Repr-Digest", out var digests))
        {
            foreach (var part in string.Join(',', digests).Split(','))
            {
                var item = part.Trim();
                if (item.StartsWith("sha-256=:", StringComparison.OrdinalIgnoreCase) && item.EndsWith(':'))
                {
                    return Convert.ToHexStringLower(Convert.FromBase64String(item["sha-256=:".Length..^1]));
                }
            }
        }
        return response.Headers.TryGetValues("X-Content-SHA256", out var hex) ? hex.First().ToLowerInvariant() : null;
    }
}
