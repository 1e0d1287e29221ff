using System.Text.Json;

namespace ModelsHub.Cli;

/// <summary>
/// What <c>modelshub login</c> remembers: the hub last signed in to and a token per hub, in
/// <c>$MODELSHUB_CONFIG_DIR</c>, else <c>$XDG_CONFIG_HOME/modelshub</c> (<c>~/.config/modelshub</c>;
/// <c>%APPDATA%\modelshub</c> on Windows), readable by the user alone.
/// </summary>
public sealed class CliSettings
{
    public const string DefaultHub = "http://localhost:7071";

    public string? Hub { get; set; }

    public Dictionary<string, string> Tokens { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public static string Directory =>
        Environment.GetEnvironmentVariable("MODELSHUB_CONFIG_DIR") is { Length: > 0 } dir ? dir
        : Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "modelshub")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "modelshub");

    public static string FilePath => Path.Combine(Directory, "credentials.json");

    public static CliSettings Load()
    {
        try
        {
            return File.Exists(FilePath) ? JsonSerializer.Deserialize<CliSettings>(File.ReadAllText(FilePath)) ?? new() : new();
        }
        catch (JsonException)
        {
            return new();
        }
    }

    public void Save()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var temp = FilePath + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, this, new JsonSerializerOptions { WriteIndented = true });
        }
        File.Move(temp, FilePath, overwrite: true);
    }

    /// <summary>The hub's address: --hub, else $MODELSHUB_URL, else the hub last logged in to, else localhost:7071.</summary>
    public static Uri ResolveHub(string? option, CliSettings settings)
    {
        var text = option ?? (Environment.GetEnvironmentVariable("MODELSHUB_URL") is { Length: > 0 } env ? env : settings.Hub ?? DefaultHub);
        return Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"--hub '{text}' is not an http(s) address.");
    }

    /// <summary>The token: --token, else $MODELSHUB_TOKEN, else the one saved for this hub.</summary>
    public static string? ResolveToken(string? option, Uri hub, CliSettings settings) =>
        option ?? (Environment.GetEnvironmentVariable("MODELSHUB_TOKEN") is { Length: > 0 } env ? env : settings.Tokens.GetValueOrDefault(Key(hub)));

    public static string Key(Uri hub) => hub.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
}
