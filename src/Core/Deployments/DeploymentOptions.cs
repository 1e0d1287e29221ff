namespace ModelsHub.Core.Deployments;

/// <summary>Settings of deployments (section <c>Deployments</c>).</summary>
public sealed class DeploymentOptions
{
    public const string Section = "Deployments";

    /// <summary>The hub-wide launch defaults shown on each deployment.</summary>
    public DeploymentDefaults Defaults { get; set; } = new();

    /// <summary>How often a launch's progress is read while it loads.</summary>
    public TimeSpan FollowInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a launch may take (downloads included) before the hub calls it failed and stops it.</summary>
    public TimeSpan LaunchTimeout { get; set; } = TimeSpan.FromHours(2);
}
