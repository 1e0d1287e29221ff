namespace ModelsHub.Cli;

/// <summary>The command line cannot go on from what it was given (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The hub answered something the command cannot go on from (exit code 1).</summary>
public sealed class HubRequestException(string message) : Exception(message);

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    /// <summary>Stopped by Ctrl+C (128 + SIGINT), as shells report it.</summary>
    public const int Interrupted = 130;
}
