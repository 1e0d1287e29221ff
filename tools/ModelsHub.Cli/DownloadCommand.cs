using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ModelsHub.Cli;

/// <summary>Downloads a model's or a dataset's version file, resuming a partial one with Range, and checks the SHA-256 the hub states (Repr-Digest).</summary>
public sealed class DownloadCommand(CliOptions options, TextWriter output)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var asset = AssetTarget.From(options);
        var label = options.Require("version");
        using var hub = new HubClient(CliCommand.HubAddress(options), options.Get("token", "MODELSHUB_TOKEN"));
        var version = $"{asset.Path}/versions/{Uri.EscapeDataString(label)}";
        var name = options.Get("file") ?? await OnlyFileAsync(hub, version, cancellationToken);
        var target = options.Get("out") ?? name;
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
            existing = -1;
        }
        else if (!response.IsSuccessStatusCode)
        {
            throw new HubRequestException($"GET {path}: {(int)response.StatusCode} {response.StatusCode} — {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        else
        {
            var append = response.StatusCode == HttpStatusCode.PartialContent;
            await using var file = new FileStream(target, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1024 * 1024);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await body.CopyToAsync(file, 1024 * 1024, cancellationToken);
            await output.WriteLineAsync(append ? $"resumed at byte {existing:N0}" : "downloaded");
        }

        var expected = ExpectedSha256(response);
        await using var check = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, FileOptions.SequentialScan);
        var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(check, cancellationToken));
        await output.WriteLineAsync($"{target}: sha256 {actual}");
        if (expected is not null && expected != actual)
        {
            throw new HubRequestException($"The file's SHA-256 is {actual} but the hub states {expected}; delete {target} and download again.");
        }
        return 0;
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
