using ModelsHub.EndToEndTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Journeys;

/// <summary>A newcomer's journeys share one hub (with the upstream models loaded) and one browser.</summary>
[CollectionDefinition(Name)]
public sealed class JourneysCollection : ICollectionFixture<JourneyHub>
{
    public const string Name = "journeys";
}

public sealed class JourneyHub : WebHub
{
    /// <summary>The inference-server monitor polls every second into one-second points, so a deployment's charts fill while a journey watches.</summary>
    protected override IDictionary<string, string> Settings()
    {
        var settings = base.Settings();
        foreach (var (key, value) in MonitoringSettings)
        {
            settings[key] = value;
        }
        return settings;
    }

    protected override Task SeedAsync() => ImportUpstreamAsync();
}
