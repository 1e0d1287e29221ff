using ModelsHub.Core.Common;

namespace ModelsHub.Core.Identity;

/// <summary>Where user profiles live.</summary>
public interface IUserStore
{
    /// <summary>Returns the user, or null when there is none with that id.</summary>
    Task<HubUser?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Stores a new user; throws <see cref="ConflictException"/> when the id is taken.</summary>
    Task<HubUser> CreateAsync(HubUser user, CancellationToken cancellationToken);

    /// <summary>Replaces the user if its ETag still matches; throws <see cref="PreconditionFailedException"/> otherwise.</summary>
    Task<HubUser> ReplaceAsync(HubUser user, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Users ordered by id, one page at a time.</summary>
    Task<Page<HubUser>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken);
}
