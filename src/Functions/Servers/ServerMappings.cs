using ModelsHub.Contracts;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Servers;
using ModelsHub.Core.Servers;

namespace ModelsHub.Functions.Servers;

/// <summary>Servers, their series and push results as the API's records (<see cref="ModelsHub.Contracts.Servers"/>).</summary>
public static class ServerMappings
{
    public static InferenceServerDto ToDto(this ServerView view)
    {
        var s = view.Server;
        return new InferenceServerDto(s.Name, s.Url, s.Description, s.ProtectedApiKey is not null, s.ApiKeyLastFour, s.Version, s.Revision,
            s.Reachable, view.LastSeenAt, s.UnreachableSince, s.LastError, view.Nodes.Select(ToDto).ToList(), view.ActiveDeployments,
            s.CreatedBy, s.CreatedAt, s.UpdatedAt);
    }

    public static ServerNodeDto ToDto(this ServerNode n) =>
        new(n.NodeType, n.Address, n.CpuCount, n.CpuAvailable, n.MemoryUsed, n.MemoryAvailable, n.MemoryTotal, n.GpuCount, n.GpuVramTotal,
            n.GpuVramAvailable, n.GpuUtilization);

    public static ServerMetricPointDto ToDto(this ServerMetricStep p) =>
        new(p.At, p.Polls, p.Reachable,
            new ClusterTotalsDto(Cpu(p.Totals.CpuCount), Cpu(p.Totals.CpuUsed), Bytes(p.Totals.MemoryUsed), Bytes(p.Totals.MemoryTotal), p.Totals.GpuCount,
                Percent(p.Totals.GpuUtilization), Bytes(p.Totals.GpuVramUsed), Bytes(p.Totals.GpuVramTotal)),
            p.Nodes.Select(n => new NodeMetricDto(n.Address, n.NodeType, Cpu(n.CpuCount), Cpu(n.CpuUsed), Bytes(n.MemoryUsed), Bytes(n.MemoryTotal), n.GpuCount,
                Percent(n.GpuUtilization), Bytes(n.GpuVramUsed), Bytes(n.GpuVramTotal))).ToList());

    // Averages carry float noise in their last digits; a series is read at these precisions.
    private static double Cpu(double value) => Math.Round(value, 3);

    private static double? Cpu(double? value) => value is { } v ? Math.Round(v, 3) : null;

    private static double Bytes(double value) => Math.Round(value);

    private static double? Bytes(double? value) => value is { } v ? Math.Round(v) : null;

    private static double? Percent(double? value) => value is { } v ? Math.Round(v, 2) : null;

    public static ServerPushResultDto ToDto(this PushServerResult r) =>
        new(r.Server, r.Succeeded, r.Error, r.Types.Select(t => new TypePushResultDto(EnumNames<ModelType>.NameOf(t.Type), t.Registered, t.Updated, t.Unchanged,
            t.BuiltIn, t.Failed.Select(f => new PushFailureDto(f.Model, f.Reason)).ToList(), t.Error)).ToList());
}
