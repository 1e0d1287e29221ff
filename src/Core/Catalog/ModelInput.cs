using System.Text.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Catalog;

/// <summary>
/// The fields of a registration or an update. On update an absent field stays as it is; a
/// present null clears it (where clearing is allowed).
/// </summary>
public sealed record ModelInput
{
    public Optional<string> Name { get; init; }
    public Optional<ModelType> Type { get; init; }
    public Optional<string> Description { get; init; }
    public Optional<string> Readme { get; init; }
    public Optional<IReadOnlyList<string>> Tags { get; init; }
    public Optional<ModelFramework> Framework { get; init; }
    public Optional<ModelSource> Source { get; init; }
    public Optional<ModelVisibility> Visibility { get; init; }
    public Optional<ModelTier> Tier { get; init; }
    public Optional<ModelStatus> Status { get; init; }
    public Optional<DateTimeOffset?> ExpiresAt { get; init; }
    public Optional<bool> Featured { get; init; }
    public Optional<JsonElement?> Spec { get; init; }

    /// <summary>An API model's verified provider block: set at registration by <c>ApiModelService</c> only (never read from a body).</summary>
    public Optional<ApiModels.ModelProvider?> Provider { get; init; }
}
