using System.Text.Json;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Deployments;

/// <summary>A deployment request as read from its body: every field may be absent.</summary>
public sealed record DeploymentInput
{
    public Optional<string> Model { get; init; }
    public Optional<string?> Version { get; init; }
    public Optional<string> Server { get; init; }
    public Optional<string?> Engine { get; init; }
    public Optional<string?> Format { get; init; }
    public Optional<JsonElement?> SizeInBillions { get; init; }
    public Optional<string?> Quantization { get; init; }
    public Optional<int> Replicas { get; init; }
    public Optional<JsonElement?> Gpus { get; init; }
    public Optional<JsonElement?> Parameters { get; init; }
    public Optional<IReadOnlyDictionary<string, string>> Env { get; init; }
    public Optional<string?> InputFormat { get; init; }
    public Optional<string?> OutputFormat { get; init; }
}
