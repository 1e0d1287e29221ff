using System.Text;

namespace ModelsHub.Web.Services.Api;

/// <summary>Builds a query string from the parameters that are set, each escaped.</summary>
public sealed class Query(string path)
{
    private readonly StringBuilder _url = new(path);
    private bool _first = !path.Contains('?');

    public Query Add(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _url.Append(_first ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            _first = false;
        }
        return this;
    }

    public Query Add(string name, int? value) => Add(name, value?.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Query Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

    public Query Add<T>(string name, T? value) where T : struct, Enum => Add(name, value is { } v ? HubJson.NameOf(v) : null);

    public override string ToString() => _url.ToString();

    public static implicit operator string(Query query) => query.ToString();

    /// <summary>A path segment, escaped (model names and labels may hold '.', which stays).</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);
}
