using System.Globalization;
using System.Net;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Contracts.Versions;

namespace ModelsHub.Cli;

/// <summary>Waits for a dataset version's validation and prints what it found: records and tokens when ready, the first errors with their lines when invalid.</summary>
public sealed class ValidationReport(CliContext cli)
{
    private const int ErrorsShown = 20;

    /// <summary>0 when the version is ready, 1 otherwise.</summary>
    public async Task<int> WaitAsync(HubClient hub, AssetTarget dataset, string label, CancellationToken cancellationToken)
    {
        var path = $"{dataset.Path}/versions/{Uri.EscapeDataString(label)}";
        cli.Say($"validating {dataset.Name} {label}…");
        var deadline = DateTime.UtcNow.AddHours(2);
        VersionDto version;
        while (true)
        {
            version = await hub.ExpectAsync<VersionDto>(HttpMethod.Get, path, null, cancellationToken, HttpStatusCode.OK);
            if (version.Status is not (VersionStatus.Uploading or VersionStatus.Validating) || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
        await PrintAsync(version);
        if (cli.Json)
        {
            cli.WriteJson(version);
        }
        return version.Status == VersionStatus.Ready ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private async Task PrintAsync(VersionDto version)
    {
        var status = EnumNames<VersionStatus>.NameOf(version.Status);
        if (version.Validation is not { } found)
        {
            cli.Say($"{version.Dataset} {version.Label} is {status}{(version.FailureReason is null ? "" : $": {version.FailureReason}")}");
            return;
        }
        var counts = found.Archive is { } archive
            ? $"{archive.FileCount:N0} files, {archive.TotalBytes:N0} bytes unpacked"
            : $"{found.RecordCount:N0} records";
        var tokens = Tokens(found) is { } t ? ", " + t : "";
        var shape = found.Roles is { Count: > 0 } roles ? $"; roles {string.Join(", ", roles.Select(r => $"{r.Key} {r.Value:N0}"))}"
            : found.Columns is { Count: > 0 } columns ? $"; columns {string.Join(", ", columns)}" : "";
        cli.Say($"{version.Dataset} {version.Label} is {status}: {counts}{tokens}, {found.SizeBytes:N0} bytes ({EnumNames<DatasetFormat>.NameOf(found.Format)}){shape}");
        if (found.ErrorCount == 0)
        {
            return;
        }
        await cli.Errors.WriteLineAsync(ErrorsHeading("", found.ErrorCount, ErrorsShown));
        foreach (var error in found.Errors.Take(ErrorsShown))
        {
            await cli.Errors.WriteLineAsync("  " + ErrorLine(error));
        }
    }

    /// <summary>The token estimate as reported: <c>~612,000 tokens (cl100k_base, estimated)</c>, or null when the format has none.</summary>
    public static string? Tokens(DatasetValidationDto found) =>
        found.Tokens is { } t ? string.Create(CultureInfo.InvariantCulture, $"~{t.Tokens:N0} tokens ({t.Encoding}{(t.Exact ? "" : ", estimated")})") : null;

    /// <summary><c>3 errors, the first 2:</c> (after <paramref name="prefix"/>).</summary>
    public static string ErrorsHeading(string prefix, long count, int shown) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}{count:N0} error{(count == 1 ? "" : "s")}{(count > shown ? $", the first {shown}" : "")}:");

    public static string ErrorLine(DatasetErrorDto error) => error.Line is { } line ? $"line {line}: {error.Message}" : error.Message;
}
