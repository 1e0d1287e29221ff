using System.Collections.Concurrent;

namespace ModelsHub.Core.Servers;

/// <summary>
/// Points of closed steps, remembered: a step that ended before the latest poll that could still
/// write into it never changes again, so a dashboard asking for the last seven days every minute
/// reads only the steps at the edges of its window from the store. Keyed by the series and the
/// server's registration (a server registered again under the same name starts a new series), the
/// step width and whether nodes were asked for. Bounded: past <see cref="MaxEntries"/> it starts over.
/// </summary>
public sealed class SeriesCache
{
    public const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<(string Series, long Registered, long Step, bool PerNode, long At), ServerMetricStep?> _steps = new();

    public bool TryGet(string series, DateTimeOffset registered, TimeSpan step, bool perNode, DateTimeOffset at, out ServerMetricStep? point) =>
        _steps.TryGetValue((series, registered.UtcTicks, step.Ticks, perNode, at.UtcTicks), out point);

    /// <summary>Remembers a closed step's point (null: the step had no samples).</summary>
    public void Set(string series, DateTimeOffset registered, TimeSpan step, bool perNode, DateTimeOffset at, ServerMetricStep? point)
    {
        if (_steps.Count >= MaxEntries)
        {
            _steps.Clear();
        }
        _steps[(series, registered.UtcTicks, step.Ticks, perNode, at.UtcTicks)] = point;
    }
}
