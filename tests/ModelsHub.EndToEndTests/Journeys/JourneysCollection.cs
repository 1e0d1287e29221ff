using ModelsHub.EndToEndTests.Infrastructure;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.EndToEndTests.Journeys;

/// <summary>A newcomer's journeys share one hub (with the upstream models loaded) and one browser.</summary>
[CollectionDefinition(Name)]
public sealed class JourneysCollection : ICollectionFixture<JourneyHub>
{
    public const string Name = "journeys";
}

public sealed class JourneyHub : WebHub
{
    /// <summary>The Hugging Face Hub imports read from (the repositories the import tests use).</summary>
    public FakeHuggingFace HuggingFace { get; private set; } = null!;

    protected override async Task StartFakesAsync()
    {
        HuggingFace = await FakeHuggingFace.StartAsync();
        HuggingFace.AddRepositories();
    }

    protected override ValueTask StopFakesAsync() => HuggingFace.DisposeAsync();

    protected override IDictionary<string, string> Settings()
    {
        var settings = base.Settings();
        settings["HuggingFace:Endpoint"] = HuggingFace.Endpoint.ToString();
        settings["HuggingFace:Timeout"] = "00:00:10";
        settings["Training:MonitorInterval"] = "00:00:00.200";
        return settings;
    }

    protected override Task SeedAsync() => ImportUpstreamAsync();
}
