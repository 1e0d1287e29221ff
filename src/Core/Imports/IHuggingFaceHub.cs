using System.Text.Json;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Imports;

/// <summary>
/// The Hugging Face Hub's HTTP API (or a mirror's, <see cref="HuggingFaceOptions.Endpoint"/>), as the
/// import reads it: model info with file sizes and LFS SHA-256, files by commit with Range, and the
/// token's account. <paramref name="token"/> parameters are a user's access token or null (anonymous).
/// Failures are <see cref="HuggingFaceException"/>s that say what the Hub said (its <c>X-Error-Code</c>).
/// </summary>
public interface IHuggingFaceHub
{
    /// <summary><c>GET /api/models/{repoId}/revision/{revision}?blobs=true</c>: the repository at the commit the revision names.</summary>
    Task<HuggingFaceModel> GetModelAsync(string repoId, string revision, string? token, CancellationToken cancellationToken);

    /// <summary>
    /// <c>GET /{repoId}/resolve/{commit}/{path}</c> from <paramref name="offset"/> to the end (a <c>Range</c> request
    /// when the offset is not 0), following the Hub's redirects (the token goes only to the Hub's own origin).
    /// The caller disposes the download.
    /// </summary>
    Task<HuggingFaceDownload> OpenFileAsync(string repoId, string commit, string path, long offset, string? token, CancellationToken cancellationToken);

    /// <summary><c>HEAD /{repoId}/resolve/{revision}/{path}</c> without following a redirect to the CDN: whether the token may read the file.</summary>
    Task<HuggingFaceFileProbe> ProbeFileAsync(string repoId, string revision, string path, string? token, CancellationToken cancellationToken);

    /// <summary><c>GET /api/whoami-v2</c>: the account a token belongs to.</summary>
    Task<HuggingFaceAccount> WhoAmIAsync(string token, CancellationToken cancellationToken);
}

/// <summary>A model repository at one commit, as <c>/api/models/…?blobs=true</c> describes it.</summary>
public sealed record HuggingFaceModel(
    string Id,
    string Commit,
    string? PipelineTag,
    string? LibraryName,
    string? Gated,
    bool Private,
    IReadOnlyList<string> Tags,
    JsonElement? CardData,
    IReadOnlyList<HuggingFaceFile> Files);

/// <summary>A file of the repository (a sibling): size, git blob id, and for LFS files the content's SHA-256.</summary>
public sealed record HuggingFaceFile(string Path, long Size, string? BlobId, string? LfsSha256)
{
    public bool IsLfs => LfsSha256 is not null;
}

/// <summary>An open file download: <see cref="Content"/> holds the bytes from <see cref="Offset"/> to the end.</summary>
public sealed class HuggingFaceDownload(Stream content, long offset, long totalSize, string? commit, string? etag, IDisposable? owner = null) : IAsyncDisposable
{
    public Stream Content { get; } = content;

    public long Offset { get; } = offset;

    /// <summary>The whole file's size (from <c>Content-Range</c>, else <c>Content-Length</c>).</summary>
    public long TotalSize { get; } = totalSize;

    /// <summary>The commit the Hub resolved (<c>X-Repo-Commit</c>), when it said.</summary>
    public string? Commit { get; } = commit;

    /// <summary>The file's ETag at the Hub: its git blob id, or for LFS files its SHA-256 (<c>X-Linked-Etag</c>).</summary>
    public string? ETag { get; } = etag;

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync();
        owner?.Dispose();
    }
}

/// <summary>What a HEAD on a file said: the commit, its ETag and size (LFS files: the linked ones).</summary>
public sealed record HuggingFaceFileProbe(string? Commit, string? ETag, long? Size);

/// <summary>The account behind a token: its user name and the token's role (read, write, fineGrained).</summary>
public sealed record HuggingFaceAccount(string Name, string? Role);

/// <summary>What went wrong at the Hub, from its <c>X-Error-Code</c> and status.</summary>
public enum HuggingFaceError
{
    /// <summary>No such repository, or a private one the token may not see (the Hub does not say which).</summary>
    RepoNotFound,
    RevisionNotFound,
    EntryNotFound,
    /// <summary>A gated repository whose conditions the token's user has not accepted (or no token was sent).</summary>
    Gated,
    /// <summary>The Hub refused the token itself (401 "Invalid credentials").</summary>
    TokenRejected,
    /// <summary>Another 403: the token lacks a permission.</summary>
    Forbidden,
    /// <summary>The Hub (or the CDN) could not be reached, timed out, throttled or failed (429, 5xx): worth retrying.</summary>
    Unavailable,
    /// <summary>The Hub answered something the protocol does not allow (a missing header, a short body, a wrong range).</summary>
    BadResponse,
}

/// <summary>A failed call to the Hugging Face Hub, with the Hub's own message.</summary>
public sealed class HuggingFaceException(HuggingFaceError error, string message, int? status = null, Exception? inner = null) : HubException(message, inner)
{
    public HuggingFaceError Error { get; } = error;

    /// <summary>The HTTP status the Hub answered, when it answered.</summary>
    public int? Status { get; } = status;

    /// <summary>Worth trying again later (network, throttling, a server error, a cut download).</summary>
    public bool IsTransient => Error is HuggingFaceError.Unavailable or HuggingFaceError.BadResponse;
}
