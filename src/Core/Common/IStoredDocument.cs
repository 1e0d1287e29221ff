namespace ModelsHub.Core.Common;

/// <summary>
/// A document a store keeps under an opaque ETag (<see cref="ETag"/>, null until stored). Stores never
/// change what they are given: they write a <see cref="Clone"/> and hand it back with its new ETag.
/// </summary>
public interface IStoredDocument<TSelf> where TSelf : class, IStoredDocument<TSelf>
{
    string? ETag { get; set; }

    TSelf Clone();
}

/// <summary>Changing a stored document under its ETag.</summary>
public static class StoredDocumentChanges
{
    /// <summary>
    /// Reads the document, lets <paramref name="change"/> change a copy (false: nothing to write, the current one is
    /// answered) and replaces it with If-Match; when another writer came first, reads and changes again (at most
    /// <paramref name="tries"/> times). Null when the document is not there, or went away meanwhile.
    /// </summary>
    public static async Task<T?> ChangeAsync<T>(Func<CancellationToken, Task<T?>> read, Func<T, string, CancellationToken, Task<T>> replace,
        Func<T, bool> change, CancellationToken cancellationToken, int tries = 10) where T : class, IStoredDocument<T>
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await read(cancellationToken);
            if (current is null)
            {
                return null;
            }
            var next = current.Clone();
            if (!change(next))
            {
                return current;
            }
            try
            {
                return await replace(next, current.ETag!, cancellationToken);
            }
            catch (PreconditionFailedException) when (attempt < tries)
            {
            }
            catch (NotFoundException)
            {
                return null;
            }
        }
    }
}
