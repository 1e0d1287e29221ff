using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ModelsHub.Core.Workflows;
using ModelsHub.Functions.Triggers;
using ModelsHub.Infrastructure;
using ModelsHub.Infrastructure.Sqlite;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Hosting;

/// <summary>
/// <c>local.settings.sample.json</c> is what someone copies to run the hub under <c>func start</c>, so it
/// must hold every setting the app reads. The keys are derived from the code (options classes and timer
/// jobs), so a new setting without a sample line fails here rather than surprising the next person.
/// </summary>
public sealed class LocalSettingsSampleTests
{
    private static readonly Assembly[] AppAssemblies =
    [
        typeof(WorkflowOptions).Assembly,            // Core
        typeof(EmbeddedStorageOptions).Assembly,     // Infrastructure
        typeof(TriggerOptions).Assembly,             // Functions
    ];

    /// <summary>Settings read directly from configuration rather than through an options class.</summary>
    private static readonly string[] ReadOutsideOptions =
    [
        InfrastructureServiceExtensions.ProfileKey,
        // Microsoft.Identity.Web binds these itself when Auth:Mode is Entra.
        "AzureAd:Instance",
        "AzureAd:TenantId",
        "AzureAd:ClientId",
        "AzureAd:Audience",
    ];

    /// <summary>The only settings the app reads that must not appear in the sample.</summary>
    private static readonly string[] NotInTheSample =
    [
        // Test-only fault injection that ends the process mid-workflow; a sample line would invite using it.
        "Workflows:CrashAt",
        // A signing key is a secret; without one the server generates it into Auth:Development:SigningKeyFile.
        "Auth:Development:SigningKey",
    ];

    private static IReadOnlyDictionary<string, string> Sample()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(UpstreamFixtures.RepositoryRoot, "local.settings.sample.json")));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every key the options classes bind: each type with a <c>Section</c> constant, nested option objects included.</summary>
    private static IEnumerable<string> OptionsKeys()
    {
        foreach (var type in AppAssemblies.SelectMany(a => a.GetTypes()).Where(t => t.IsClass && !t.IsAbstract))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && field.GetRawConstantValue() is string section)
            {
                foreach (var key in KeysOf(type, section))
                {
                    yield return key;
                }
            }
        }
    }

    private static IEnumerable<string> KeysOf(Type type, string prefix)
    {
        // Only what the configuration binder can set: public, writable instance properties.
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var key = $"{prefix}:{property.Name}";
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (valueType.IsClass && valueType != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(valueType))
            {
                foreach (var nested in KeysOf(valueType, key))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return key;
            }
        }
    }

    /// <summary>The schedule setting of every timer job (read without constructing the job's dependencies).</summary>
    private static IEnumerable<string> ScheduleKeys() =>
        AppAssemblies.SelectMany(a => a.GetTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IScheduledJob).IsAssignableFrom(t))
            .Select(t => ((IScheduledJob)RuntimeHelpers.GetUninitializedObject(t)).ScheduleSetting);

    [Fact]
    public void TheSampleListsEverySettingTheAppReads()
    {
        var sample = Sample();
        var read = OptionsKeys().Concat(ScheduleKeys()).Concat(ReadOutsideOptions).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        // Guards the derivation itself: if reflection found nothing the test would pass vacuously.
        Assert.Contains("Uploads:OrphanGracePeriod", read);
        Assert.Contains("Auth:Development:Issuer", read);
        Assert.Contains("Uploads:ExpirySchedule", read);

        var missing = read
            .Except(NotInTheSample, StringComparer.OrdinalIgnoreCase)
            .Select(key => key.Replace(":", "__", StringComparison.Ordinal))
            // A list or a map is set through indexed or keyed entries (Cors__AllowedOrigins__0, Quotas__Users__{id}__StoredBytes, Training__Trainers__reference__…).
            .Where(name => !sample.ContainsKey(name) && !sample.Keys.Any(k => k.StartsWith(name + "__", StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(missing.Count == 0, "local.settings.sample.json lacks: " + string.Join(", ", missing));
        Assert.All(NotInTheSample, key => Assert.False(sample.ContainsKey(key.Replace(":", "__", StringComparison.Ordinal)), $"{key} must not be in the sample"));
    }

    [Fact]
    public void TheSampleRunsTheAzureProfileUnderTheHostAgainstTheEmulatorsWithoutSecrets()
    {
        var sample = Sample();

        Assert.Equal("custom", sample["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", sample["AzureWebJobsStorage"]);
        // Under the host the in-process dispatcher is off, so only the Azure profile's queue reaches the WorkflowQueue trigger.
        Assert.Equal("Azure", sample["Storage__Profile"]);
        Assert.Equal("UseDevelopmentStorage=true", sample["Storage__Azure__Queues__ConnectionString"]);
        Assert.Equal("UseDevelopmentStorage=true", sample["Storage__Azure__Blobs__ConnectionString"]);
        Assert.StartsWith("AccountEndpoint=http://127.0.0.1:", sample["Storage__Azure__Cosmos__ConnectionString"], StringComparison.Ordinal);
        Assert.Equal("", sample["GitHub__DefaultToken"]);
        // Every key the sample carries must be a key the emulators publish, never a real account's.
        Assert.DoesNotContain(sample, s => s.Value.Contains("sig=", StringComparison.OrdinalIgnoreCase) || s.Value.Contains(".core.windows.net", StringComparison.OrdinalIgnoreCase));
    }
}
