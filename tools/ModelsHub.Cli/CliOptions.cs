using System.Globalization;

namespace ModelsHub.Cli;

/// <summary>
/// The command line: a command, positional arguments, <c>--name value</c> options (environment
/// variables as defaults) and <c>--flag</c> switches (an option with no value after it).
/// </summary>
public sealed class CliOptions
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public string Command { get; private set; } = "";

    public List<string> Positional { get; } = [];

    public static CliOptions Parse(string[] args)
    {
        var options = new CliOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                var isSwitch = i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal);
                options._options[args[i][2..]] = isSwitch ? SwitchValue : args[++i];
            }
            else if (options.Command.Length == 0)
            {
                options.Command = args[i];
            }
            else
            {
                options.Positional.Add(args[i]);
            }
        }
        return options;
    }

    private const string SwitchValue = "\0switch";

    public string? Get(string name, string? environment = null) =>
        _options.TryGetValue(name, out var value)
            ? value == SwitchValue ? throw new UsageException($"--{name} needs a value.") : value
            : environment is null ? null : Environment.GetEnvironmentVariable(environment);

    /// <summary>Whether the switch <c>--name</c> was given.</summary>
    public bool Switch(string name) =>
        _options.TryGetValue(name, out var value) && (value == SwitchValue ? true : throw new UsageException($"--{name} takes no value."));

    public string Require(string name, string? environment = null) =>
        Get(name, environment) ?? throw new UsageException($"--{name} is required{(environment is null ? "" : $" (or set {environment})")}.");

    public int Int(string name, int fallback, int min, int max)
    {
        var text = Get(name);
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new UsageException($"--{name} must be a whole number from {min} to {max}.");
    }

    /// <summary>A byte count such as 16M, 512K or 1048576.</summary>
    public long? Bytes(string name)
    {
        var text = Get(name);
        if (text is null) return null;
        var multiplier = char.ToUpperInvariant(text[^1]) switch { 'K' => 1024L, 'M' => 1024L * 1024, 'G' => 1024L * 1024 * 1024, _ => 1L };
        var digits = multiplier == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n * multiplier
            : throw new UsageException($"--{name} must be a byte count such as 16M, 512K or 1048576.");
    }
}

public sealed class UsageException(string message) : Exception(message);

/// <summary>The hub answered something the command cannot go on from.</summary>
public sealed class HubRequestException(string message) : Exception(message);
