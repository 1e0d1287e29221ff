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
    protected override Task SeedAsync() => ImportUpstreamAsync();
}
