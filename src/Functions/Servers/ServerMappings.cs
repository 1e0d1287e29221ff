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
            new ClusterTotalsDto(p.Totals.CpuCount, p.Totals.CpuUsed, p.Totals.MemoryUsed, p.Totals.MemoryTotal, p.Totals.GpuCount, p.Totals.GpuUtilization,
                p.Totals.GpuVramUsed, p.Totals.GpuVramTotal),
            p.Nodes.Select(n => new NodeMetricDto(n.Address, n.NodeType, n.CpuCount, n.CpuUsed, n.MemoryUsed, n.MemoryTotal, n.GpuCount, n.GpuUtilization,
                n.GpuVramUsed, n.GpuVramTotal)).ToList());

    public static ServerPushResultDto ToDto(this PushServerResult r) =>
        new(r.Server, r.Succeeded, r.Error, r.Types.Select(t => new TypePushResultDto(EnumNames<ModelType>.NameOf(t.Type), t.Registered, t.Updated, t.Unchanged,
            t.BuiltIn, t.Failed.Select(f => new PushFailureDto(f.Model, f.Reason)).ToList(), t.Error)).ToList());
}
