using System.Globalization;
using ModelsHub.Bench;

// bench [catalog|download|workflow|upload|gateway|import|startup|datasets|training|deployments|web|all] [--duration S] [--concurrency N] [--models N] [--runs N] [--no-cache] [--profile embedded|azure]
// Prints requests/s, p50/p99 and each endpoint's ratio to /api/health measured in the same run.
var options = BenchOptions.Parse(args);
var root = BenchOptions.RepositoryRoot();
// BENCH_SERVER=…/ModelsHub.Functions.dll runs another build (an earlier commit's, copied aside) for before/after figures from one sitting.
var serverDll = Environment.GetEnvironmentVariable("BENCH_SERVER") is { Length: > 0 } other
    ? Path.GetFullPath(other)
    : Path.Combine(root, "src", "Functions", "bin", "Release", "net10.0", "ModelsHub.Functions.dll");
if (!File.Exists(serverDll))
{
    Console.Error.WriteLine($"Build the server first: dotnet build -c Release src/Functions ({serverDll} is missing).");
    return 2;
}

Console.WriteLine($"ModelsHub bench — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"scenarios: {string.Join(", ", options.Scenarios)}; {options.Concurrency} connections; {options.Duration.TotalSeconds:0} s per phase");
var failed = false;
foreach (var scenario in options.Scenarios)
{
    Console.WriteLine();
    failed |= scenario switch
    {
        "catalog" => !await CatalogBench.RunAsync(serverDll, options),
        "workflow" or "upload" or "download" or "gateway" or "import" or "startup" or "datasets" or "training" or "deployments" or "web" when options.Profile == "azure" => SkippedOnAzure(scenario),
        "download" => !await DownloadBench.RunAsync(serverDll, options),
        "workflow" => !await WorkflowBench.RunAsync(serverDll, options),
        "upload" => !await UploadBench.RunAsync(serverDll, options),
        "web" => !await WebBench.RunAsync(Path.Combine(root, "artifacts", "bench-hub", "ModelsHub.Functions"), options),
        "gateway" => !await GatewayBench.RunAsync(serverDll, options),
        "import" => !await ImportBench.RunAsync(serverDll, options),
        "startup" => !await StartupBench.RunAsync(serverDll, options),
        "datasets" => !await DatasetBench.RunAsync(serverDll, options),
        "training" => !await TrainingBench.RunAsync(serverDll, options),
        "deployments" => !await DeploymentsBench.RunAsync(serverDll, options),
        _ => throw new ArgumentException($"unknown scenario '{scenario}'"),
    };
}
return failed ? 1 : 0;

static bool SkippedOnAzure(string scenario)
{
    Console.WriteLine($"== {scenario}: embedded profile only for now (--profile azure runs the catalog scenario)");
    return false;
}

public sealed record BenchOptions(IReadOnlyList<string> Scenarios, TimeSpan Duration, int Concurrency, int Models, bool NoCache, string Profile = "embedded", int Runs = 5)
{
    public static readonly string[] AllScenarios = ["catalog", "download", "workflow", "upload", "gateway", "import", "startup", "datasets", "training", "deployments", "web"];

    public static BenchOptions Parse(string[] args)
    {
        var scenarios = new List<string>();
        var duration = TimeSpan.FromSeconds(5);
        var concurrency = 32;
        var models = 10_000;
        var noCache = false;
        var profile = "embedded";
        var runs = 5;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--duration": duration = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture)); break;
                case "--concurrency": concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--models": models = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-cache": noCache = true; break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--profile":
                    profile = args[++i].ToLowerInvariant();
                    if (profile is not ("embedded" or "azure")) throw new ArgumentException($"--profile is '{args[i]}'; expected embedded or azure");
                    break;
                case "all": scenarios.AddRange(AllScenarios); break;
                default: scenarios.Add(args[i]); break;
            }
        }
        return new BenchOptions(scenarios.Count == 0 ? AllScenarios : scenarios.Distinct().ToList(), duration, concurrency, models, noCache, profile, runs);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelsHub.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ModelsHub.sln not found");
    }
}

public static class Report
{
    public static void Table(IReadOnlyList<LoadResult> results, LoadResult baseline)
    {
        Console.WriteLine($"  {"endpoint",-28} {"req/s",10} {"p50 ms",8} {"p99 ms",8} {"errors",7} {"÷ health",9}");
        foreach (var r in results)
        {
            Console.WriteLine($"  {r.Name,-28} {r.RequestsPerSecond,10:N0} {r.P50Ms,8:0.00} {r.P99Ms,8:0.00} {r.Errors,7} {r.RequestsPerSecond / baseline.RequestsPerSecond,9:0.00}");
        }
    }

    public static bool Target(string what, bool met, string figure)
    {
        Console.WriteLine($"  target {(met ? "met    " : "MISSED ")} {what}: {figure}");
        return met;
    }
}
