using System.Net;
using System.Text.RegularExpressions;

namespace ModelsHub.Web.Services.Api;

/// <summary>Reading an RFC 9457 problem (<see cref="ProblemResponse"/>) for the page: its field errors, and the permission a 403 names.</summary>
public static partial class ProblemFields
{
    /// <summary>The permission a 403 names (<c>'users.administer'</c>), if it names one.</summary>
    public static string? MissingPermission(this ProblemResponse problem) =>
        problem.Detail is not null && PermissionName().Match(problem.Detail) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The errors of one field and of the fields under it (<c>spec</c> takes <c>spec[0].model_name</c>).</summary>
    public static IEnumerable<KeyValuePair<string, string[]>> ErrorsUnder(this ProblemResponse problem, string field) =>
        problem.Errors?.Where(e => IsUnder(e.Key, field)) ?? [];

    public static bool IsUnder(string key, string field) =>
        key.Equals(field, StringComparison.OrdinalIgnoreCase)
        || (key.StartsWith(field, StringComparison.OrdinalIgnoreCase) && key.Length > field.Length && key[field.Length] is '.' or '[');

    [GeneratedRegex(@"'([a-z]+(?:\.[a-z]+)+)' permission")]
    private static partial Regex PermissionName();
}

/// <summary>A non-success answer from the hub, with its problem details (or a stand-in for a bodiless or non-JSON one).</summary>
public sealed class ApiException(ProblemResponse problem) : Exception(problem.Detail ?? problem.Title ?? $"HTTP {problem.Status}")
{
    public ProblemResponse Problem { get; } = problem;

    public HttpStatusCode StatusCode => (HttpStatusCode)(Problem.Status ?? 0);
}
