using System.Globalization;
using System.Text.Json;
using Microsoft.JSInterop;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services.Localization;

/// <summary>A language the app speaks: its BCP 47 tag and its own name for itself.</summary>
public sealed record Language(string Code, string Name);

/// <summary>
/// The app's texts in English, 简体中文 and 繁體中文 (the seeds' languages), from the tables in
/// <c>Localization/*.json</c>. The choice is remembered in this browser; the first visit follows the
/// browser's languages. A missing key shows the English text, then the key itself.
/// </summary>
public sealed class Loc(BrowserStorage storage, IJSRuntime js)
{
    public const string English = "en";
    public const string SimplifiedChinese = "zh-Hans";
    public const string TraditionalChinese = "zh-Hant";

    public static IReadOnlyList<Language> Languages { get; } =
    [
        new(English, "English"),
        new(SimplifiedChinese, "简体中文"),
        new(TraditionalChinese, "繁體中文"),
    ];

    private static readonly Dictionary<string, IReadOnlyDictionary<string, string>> Tables = new(StringComparer.OrdinalIgnoreCase);

    private IReadOnlyDictionary<string, string> _texts = Table(English);

    public string Current { get; private set; } = English;

    public event Action? Changed;

    public string this[string key] => _texts.TryGetValue(key, out var text) ? text : Table(English).GetValueOrDefault(key, key);

    /// <summary>A text with <c>{0}</c>-style holes filled in.</summary>
    public string this[string key, params object?[] args] => string.Format(CultureInfo.InvariantCulture, this[key], args);

    public async Task InitializeAsync()
    {
        var stored = await storage.GetAsync("language");
        var code = stored is not null && IsKnown(stored)
            ? stored
            : Pick(await js.InvokeAsync<string[]>("modelsHub.preferredLanguages"));
        Use(code);
        await js.InvokeVoidAsync("modelsHub.setLanguage", Current);
    }

    public async Task SetAsync(string code)
    {
        if (!IsKnown(code) || code == Current)
        {
            return;
        }
        Use(code);
        await storage.SetAsync("language", code);
        await js.InvokeVoidAsync("modelsHub.setLanguage", code);
        Changed?.Invoke();
    }

    /// <summary>Used by tests and at start: switch without remembering.</summary>
    public void Use(string code)
    {
        Current = Languages.First(l => l.Code.Equals(code, StringComparison.OrdinalIgnoreCase)).Code;
        _texts = Table(Current);
    }

    /// <summary>The app's language for a browser's preferences: zh-TW, zh-HK, zh-MO and zh-Hant read Traditional; other Chinese Simplified.</summary>
    public static string Pick(IEnumerable<string>? preferred)
    {
        foreach (var tag in preferred ?? [])
        {
            var lower = tag.ToLowerInvariant();
            if (lower.StartsWith("zh", StringComparison.Ordinal))
            {
                return lower.Contains("hant") || lower.EndsWith("-tw") || lower.EndsWith("-hk") || lower.EndsWith("-mo") ? TraditionalChinese : SimplifiedChinese;
            }
            if (lower.StartsWith("en", StringComparison.Ordinal))
            {
                return English;
            }
        }
        return English;
    }

    public static bool IsKnown(string code) => Languages.Any(l => l.Code.Equals(code, StringComparison.OrdinalIgnoreCase));

    /// <summary>The texts of one language (embedded in the assembly).</summary>
    public static IReadOnlyDictionary<string, string> Table(string code)
    {
        lock (Tables)
        {
            if (!Tables.TryGetValue(code, out var table))
            {
                using var stream = typeof(Loc).Assembly.GetManifestResourceStream($"ModelsHub.Web.Localization.{code}.json")
                    ?? throw new InvalidOperationException($"No texts for language '{code}'.");
                table = JsonSerializer.Deserialize(stream, HubJsonContext.Default.DictionaryStringString)!;
                Tables[code] = table;
            }
            return table;
        }
    }
}
