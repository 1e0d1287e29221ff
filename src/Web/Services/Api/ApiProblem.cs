using System.Net;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace ModelsHub.Web.Services.Api;

/// <summary>An RFC 9457 problem as the hub answers it; <see cref="Errors"/> names each bad field.</summary>
public sealed partial record ApiProblem
{
    public string? Type { get; init; }

    public string? Title { get; init; }

    public int? Status { get; init; }

    public string? Detail { get; init; }

    public Dictionary<string, string[]>? Errors { get; init; }

    [JsonIgnore]
    public HttpStatusCode StatusCode => (HttpStatusCode)(Status ?? 0);

    /// <summary>The permission a 403 names (<c>'users.administer'</c>), if it names one.</summary>
    [JsonIgnore]
    public string? MissingPermission => Detail is not null && PermissionName().Match(Detail) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The errors of one field and of the fields under it (<c>spec</c> takes <c>spec[0].model_name</c>).</summary>
    public IEnumerable<KeyValuePair<string, string[]>> ErrorsUnder(string field) =>
        Errors?.Where(e => IsUnder(e.Key, field)) ?? [];

    public static bool IsUnder(string key, string field) =>
        key.Equals(field, StringComparison.OrdinalIgnoreCase)
        || (key.StartsWith(field, StringComparison.OrdinalIgnoreCase) && key.Length > field.Length && key[field.Length] is '.' or '[');

    [GeneratedRegex(@"'([a-z]+(?:\.[a-z]+)+)' permission")]
    private static partial Regex PermissionName();
}

/// <summary>A non-success answer from the hub, with its problem details (or a stand-in for a bodiless or non-JSON one).</summary>
public sealed class ApiException(ApiProblem problem) : Exception(problem.Detail ?? problem.Title ?? $"HTTP {problem.Status}")
{
    public ApiProblem Problem { get; } = problem;

    public HttpStatusCode StatusCode => Problem.StatusCode;
}
