namespace ModelsHub.Core.Upstream;

/// <summary>The upstream sync (section <c>Sync</c>); the repository itself is <c>GitHub:Repository</c>.</summary>
public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>Six-field NCRONTAB schedule of the <c>UpstreamSync</c> timer: hourly, on the hour.</summary>
    public string Schedule { get; set; } = "0 0 * * * *";

    /// <summary>The branch, tag or commit of the model repository the sync reads.</summary>
    public string Ref { get; set; } = "main";
}
