using ModelsHub.Contracts.Servers;

namespace ModelsHub.Web.Components.UI;

/// <summary>One line of a <c>MetricChart</c>: a share in percent (or none) per point in time.</summary>
public sealed record MetricSeries(string Key, string Label, IReadOnlyDictionary<DateTimeOffset, double?> Values)
{
    /// <summary>A cluster's CPU, memory, GPU and VRAM use over its series, in percent, labelled in the current language.</summary>
    public static IReadOnlyList<MetricSeries> OfCluster(IReadOnlyList<ServerMetricPointDto> points, Func<string, string> label) =>
    [
        new("cpu", label("metrics.cpu"), points.ToDictionary(p => p.At, p => Percent(p.Totals.CpuUsed, p.Totals.CpuCount))),
        new("memory", label("metrics.memory"), points.ToDictionary(p => p.At, p => Percent(p.Totals.MemoryUsed, p.Totals.MemoryTotal))),
        new("gpu", label("metrics.gpu"), points.ToDictionary(p => p.At, p => p.Totals.GpuUtilization)),
        new("vram", label("metrics.vram"), points.ToDictionary(p => p.At, p => Percent(p.Totals.GpuVramUsed, p.Totals.GpuVramTotal))),
    ];

    public static double? Percent(double? used, double? total) => used is { } u && total is > 0 ? Math.Round(u / total.Value * 100, 1) : null;
}
