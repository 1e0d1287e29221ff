
namespace ModelsHub.EndToEndTests.Journeys;

/// <summary>A journey's last views are kept as screenshots when it fails (it leaves its pages open).</summary>
public abstract class JourneyTest(JourneyHub hub) : IAsyncLifetime
{
    protected JourneyHub Hub { get; } = hub;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Hub.CaptureLeftoversAsync(GetType().Name);
}
