using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelsHub.Contracts.Problems;

/// <summary>
/// An error answer (RFC 9457 <c>application/problem+json</c>) as a client reads it. <see cref="Errors"/>
/// names each bad field (400, and 409/413 when one field is to blame); other members the server adds
/// (such as <c>accepted</c> on a 415) are in <see cref="Extensions"/>.
/// </summary>
public sealed record ProblemResponse
{
    public string? Type { get; init; }

    public string? Title { get; init; }

    public int? Status { get; init; }

    public string? Detail { get; init; }

    public string? Instance { get; init; }

    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    public string? TraceId { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extensions { get; init; }
}
