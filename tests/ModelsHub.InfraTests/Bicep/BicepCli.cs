using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace ModelsHub.InfraTests.Bicep;

/// <summary>One diagnostic the bicep CLI printed: <c>path(line,col) : Warning code: message</c>.</summary>
public sealed record BicepDiagnostic(string File, int Line, int Column, string Level, string Code, string Message)
{
    public override string ToString() => $"{File}({Line},{Column}) {Level} {Code}: {Message}";
}

public sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError, IReadOnlyList<BicepDiagnostic> Diagnostics)
{
    /// <summary>Errors and warnings; Info diagnostics are advice and do not fail a build.</summary>
    public IReadOnlyList<BicepDiagnostic> Problems => Diagnostics.Where(d => d.Level is "Error" or "Warning").Distinct().ToList();

    public string Describe() =>
        $"bicep exited {ExitCode}.{Environment.NewLine}stdout:{Environment.NewLine}{StandardOutput}{Environment.NewLine}stderr:{Environment.NewLine}{StandardError}";
}

/// <summary>
/// The bicep CLI restored from the Azure.Bicep.CommandLine.linux-x64 package (its build props give the path,
/// baked into this assembly), so templates compile offline with the version pinned in Directory.Packages.props.
/// </summary>
public static partial class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string ExecutablePath { get; } = FindExecutable();

    public static async Task<BicepRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Offline and quiet: no telemetry, no update checks.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }
        var output = await stdout;
        var error = await stderr;
        return new BicepRun(process.ExitCode, output, error, ParseDiagnostics(output + Environment.NewLine + error));
    }

    public static IReadOnlyList<BicepDiagnostic> ParseDiagnostics(string text) =>
        DiagnosticLine().Matches(text)
            .Select(m => new BicepDiagnostic(
                m.Groups["file"].Value,
                int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(m.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture),
                m.Groups["level"].Value,
                m.Groups["code"].Value,
                m.Groups["message"].Value.Trim()))
            .ToList();

    /// <summary>
    /// The results of a run with <c>--diagnostics-format sarif</c>. SARIF's default level is warning, so a result
    /// without one counts as a warning; only <c>note</c> (bicep's Info) is advice. With <c>--pattern</c> bicep prints
    /// one document per file, one after the other.
    /// </summary>
    public static IReadOnlyList<BicepDiagnostic> ParseSarif(string json)
    {
        var documents = new List<System.Text.Json.Nodes.JsonNode>();
        var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json), new System.Text.Json.JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            documents.Add(System.Text.Json.Nodes.JsonNode.Parse(ref reader)!);
        }
        if (documents.Count == 0) throw new FormatException("bicep printed no SARIF document.");
        return documents.SelectMany(d => d["runs"]!.AsArray())
            .SelectMany(run => run!["results"]?.AsArray() ?? [])
            .Select(result =>
            {
                var location = result!["locations"]?[0]?["physicalLocation"];
                var level = result["level"]?.GetValue<string>() switch
                {
                    "error" => "Error",
                    "note" or "none" => "Info",
                    _ => "Warning",
                };
                return new BicepDiagnostic(
                    location?["artifactLocation"]?["uri"]?.GetValue<string>() ?? "",
                    location?["region"]?["startLine"]?.GetValue<int>() ?? 0,
                    location?["region"]?["charOffset"]?.GetValue<int>() ?? 0,
                    level,
                    result["ruleId"]?.GetValue<string>() ?? "",
                    result["message"]?["text"]?.GetValue<string>() ?? "");
            })
            .ToList();
    }

    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<column>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:\s]+): (?<message>.*)$", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();

    private static string FindExecutable()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BicepPath")?.Value;
        if (string.IsNullOrEmpty(path))
        {
            throw new InvalidOperationException("BicepPath is not set: the Azure.Bicep.CommandLine.linux-x64 package was not restored with its build props.");
        }
        path = Path.GetFullPath(path.Replace('\\', Path.DirectorySeparatorChar));
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The bicep CLI is not at {path}; restore tests/ModelsHub.InfraTests (only linux-x64 is packaged).", path);
        }
        if (!OperatingSystem.IsWindows())
        {
            // NuGet extracts the binary without execute permission for group/others; make sure we may run it.
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
            }
        }
        return path;
    }
}
