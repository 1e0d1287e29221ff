namespace ModelsHub.Core.Common;

/// <summary>One dependency the hub cannot serve without; <c>/api/health/ready</c> runs them all.</summary>
public interface IReadinessCheck
{
    string Name { get; }

    /// <summary>Throws when the dependency is not usable.</summary>
    Task CheckAsync(CancellationToken cancellationToken);
}
