using System.Globalization;
using System.Text.Json;

namespace ModelsHub.Web.Components.Pages.Deployments;

/// <summary>
/// What a model's Xinference entry offers a deployment (its specs' formats, sizes per format and quantizations per
/// format and size), so the form offers only those; the hub checks them again and names the field it refuses.
/// </summary>
public sealed class LaunchOptions
{
    private readonly List<(string Format, string? Size, IReadOnlyList<string> Quantizations)> _specs = [];

    /// <summary>The engines Xinference runs models on, suggested in the engine field (any other may be typed).</summary>
    public static readonly string[] Engines = ["Transformers", "vLLM", "SGLang", "llama.cpp", "MLX"];

    public static LaunchOptions Of(JsonElement? spec)
    {
        var options = new LaunchOptions();
        var entry = spec switch
        {
            { ValueKind: JsonValueKind.Array } list => list.EnumerateArray().FirstOrDefault(e => e.ValueKind == JsonValueKind.Object),
            { ValueKind: JsonValueKind.Object } one => one,
            _ => default,
        };
        if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("model_specs", out var specs) && specs.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in specs.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object))
            {
                if (s.TryGetProperty("model_format", out var f) && f.ValueKind == JsonValueKind.String)
                {
                    options._specs.Add((f.GetString()!, s.TryGetProperty("model_size_in_billions", out var size) ? SizeText(size) : null, Quantizations(s)));
                }
            }
        }
        return options;
    }

    public bool HasSpecs => _specs.Count > 0;

    public IReadOnlyList<string> Formats => _specs.Select(s => s.Format).Distinct().ToList();

    public IReadOnlyList<string> Sizes(string? format) =>
        _specs.Where(s => format is null || s.Format == format).Select(s => s.Size).OfType<string>().Distinct().ToList();

    public IReadOnlyList<string> QuantizationsOf(string? format, string? size) =>
        _specs.Where(s => (format is null || s.Format == format) && (size is null || s.Size == size)).SelectMany(s => s.Quantizations).Distinct().ToList();

    private static IReadOnlyList<string> Quantizations(JsonElement spec) =>
        spec.TryGetProperty("model_src", out var src) && src.ValueKind == JsonValueKind.Object
            ? src.EnumerateObject().Where(h => h.Value.ValueKind == JsonValueKind.Object && h.Value.TryGetProperty("quantizations", out var q) && q.ValueKind == JsonValueKind.Array)
                .SelectMany(h => h.Value.GetProperty("quantizations").EnumerateArray()).Where(q => q.ValueKind == JsonValueKind.String).Select(q => q.GetString()!).Distinct().ToList()
            : [];

    /// <summary>A size as Xinference writes it in text (7, 0.5, "1_8").</summary>
    private static string SizeText(JsonElement size) => size.ValueKind == JsonValueKind.String
        ? size.GetString()!
        : size.TryGetDecimal(out var d) ? d.ToString(CultureInfo.InvariantCulture) : size.GetRawText();
}
