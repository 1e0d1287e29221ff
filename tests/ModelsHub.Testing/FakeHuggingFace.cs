using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelsHub.Testing;

/// <summary>The bytes of a file in the fake: small ones held, large ones generated from a pattern (never held whole).</summary>
public abstract class FakeContent
{
    public abstract long Length { get; }

    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/>.</summary>
    public abstract void Read(long offset, Span<byte> destination);

    public static FakeContent Of(byte[] bytes) => new BytesContent(bytes);

    public static FakeContent Of(string text) => new BytesContent(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// <paramref name="length"/> bytes from a seeded 1 MiB random block, each MiB stamped with its index
    /// (so two chunks never hold the same bytes and a misplaced chunk changes the hash).
    /// </summary>
    public static FakeContent Pattern(long length, int seed = 1) => new PatternContent(length, seed);

    /// <summary>SHA-256 and git blob SHA-1 of the content, read in 1 MiB pieces.</summary>
    public (string Sha256, string GitBlobId) Hashes()
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha1.AppendData(Encoding.ASCII.GetBytes($"blob {Length}\0"));
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            for (long offset = 0; offset < Length;)
            {
                var n = (int)Math.Min(1 << 20, Length - offset);
                Read(offset, buffer.AsSpan(0, n));
                sha256.AppendData(buffer, 0, n);
                sha1.AppendData(buffer, 0, n);
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (Convert.ToHexStringLower(sha256.GetHashAndReset()), Convert.ToHexStringLower(sha1.GetHashAndReset()));
    }

    private sealed class BytesContent(byte[] bytes) : FakeContent
    {
        public override long Length => bytes.Length;

        public override void Read(long offset, Span<byte> destination) => bytes.AsSpan((int)offset, destination.Length).CopyTo(destination);
    }

    private sealed class PatternContent : FakeContent
    {
        private const int Block = 1 << 20;
        private readonly byte[] _block = new byte[Block];
        private readonly long _length;
        private readonly int _seed;

        public PatternContent(long length, int seed)
        {
            _length = length;
            _seed = seed;
            new Random(seed).NextBytes(_block);
        }

        public override long Length => _length;

        public override void Read(long offset, Span<byte> destination)
        {
            while (!destination.IsEmpty)
            {
                var index = offset / Block;
                var within = (int)(offset % Block);
                var n = Math.Min(destination.Length, Block - within);
                _block.AsSpan(within, n).CopyTo(destination);
                // The first 8 bytes of each MiB hold its index (mixed with the seed).
                var stamp = index ^ ((long)_seed << 40);
                for (var i = within; i < 8 && i < within + n; i++)
                {
                    destination[i - within] = (byte)(stamp >> (8 * i));
                }
                destination = destination[n..];
                offset += n;
            }
        }
    }
}

/// <summary>A file of a fake repository at a commit, with what the Hub says about it.</summary>
public sealed record FakeHfFile(string Path, FakeContent Content, bool Lfs, string Sha256, string BlobId, int PointerSize)
{
    public long Size => Content.Length;
}

/// <summary>Where the fake was asked for bytes: a file's GET (after any redirect), its range and how many bytes it wrote.</summary>
public sealed record FakeHfDownload(string Repository, string Path, long From, long To, long Served, bool Completed);

/// <summary>
/// Holds a file's response once it has served <see cref="Offset"/> bytes of it (a hub can be killed
/// mid-file), until <see cref="Release"/>: <see cref="Reached"/> completes when a response stops there.
/// </summary>
public sealed class FakeHfStall(string repository, string path, long offset)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Repository { get; } = repository;

    public string Path { get; } = path;

    public long Offset { get; } = offset;

    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    internal Task HoldAsync(CancellationToken cancellationToken)
    {
        _reached.TrySetResult();
        return _released.Task.WaitAsync(cancellationToken);
    }
}

/// <summary>
/// A stateful Hugging Face Hub on 127.0.0.1 that speaks the Hub's HTTP API as huggingface_hub and
/// huggingface.js read it:
/// <list type="bullet">
/// <item><c>GET /api/models/{repo}/revision/{rev}</c> (and <c>/api/models/{repo}</c>): the model info JSON with
/// <c>_id, id, modelId, author, sha, lastModified, createdAt, private, gated, disabled, pipeline_tag,
/// library_name, tags, downloads, likes, cardData, siblings</c>; <c>blobs=true</c> adds each sibling's
/// <c>size, blobId, lfs{sha256, size, pointerSize}</c>; <c>expand=</c> returns only the named fields.</item>
/// <item><c>GET|HEAD /{repo}/resolve/{rev}/{path}</c>: a regular file answers itself (<c>ETag</c> = its git blob
/// id, <c>X-Repo-Commit</c>, <c>Accept-Ranges</c>, Range → 206); an LFS file answers 302 to a signed,
/// expiring URL on another origin (the CDN) with <c>X-Linked-Size</c>, <c>X-Linked-Etag</c> (its SHA-256) and
/// <c>X-Repo-Commit</c>. The CDN serves Range requests, checks the URL's signature and expiry, and counts
/// requests that carried the Hub token to it.</item>
/// <item>renamed repositories answer a relative 307 to the canonical id (as <c>gpt2</c> → <c>openai-community/gpt2</c>).</item>
/// <item><c>GET /api/whoami-v2</c> for tokens.</item>
/// <item>errors with <c>X-Error-Code</c> (<c>RepoNotFound</c>, <c>RevisionNotFound</c>, <c>EntryNotFound</c>,
/// <c>GatedRepo</c>), <c>X-Error-Message</c> and a JSON <c>{"error": ...}</c> body: an unknown or private repo is
/// 401 without a token and 404 with one; a gated repo's files are 401 without a token and 403 for a token
/// whose user was not granted access; a bad token is 401 "Invalid credentials in Authorization header".</item>
/// </list>
/// Tests count the bytes served per file, see every download's range, stall a response mid-file and
/// corrupt a file's bytes while its LFS SHA-256 stays as listed.
/// </summary>
public sealed class FakeHuggingFace : IAsyncDisposable
{
    private const int WriteBuffer = 256 * 1024;

    private sealed class Repo(string id)
    {
        public string Id { get; } = id;
        public string ObjectId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        public bool Private { get; set; }
        public string? Gated { get; set; }
        public string? PipelineTag { get; set; }
        public string? LibraryName { get; set; }
        public List<string> Tags { get; set; } = [];
        public JsonObject? CardData { get; set; }
        public Dictionary<string, string> Branches { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string> TagRefs { get; } = new(StringComparer.Ordinal);
        public HashSet<string> AllowedUsers { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Commits { get; } = new(StringComparer.Ordinal);
        public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow.AddDays(-30);
    }

    private sealed record Commit(string Sha, SortedDictionary<string, FakeHfFile> Files, DateTimeOffset At);

    private sealed record Account(string Name, string Role);

    private readonly object _gate = new();
    private readonly Dictionary<string, Repo> _repos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Commit> _commits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Account> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _served = new(StringComparer.Ordinal);
    private readonly List<FakeHfDownload> _downloads = [];
    private readonly List<string> _requests = [];
    private readonly List<FakeHfStall> _stalls = [];
    private readonly HashSet<string> _corrupted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Repository, FakeHfFile File)> _cdnObjects = new(StringComparer.Ordinal);
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private WebApplication? _app;
    private int _cdnPort;
    private int _cdnRequestsWithToken;

    private FakeHuggingFace()
    {
    }

    /// <summary>The Hub's address: what <c>HuggingFace:Endpoint</c> (or <c>HF_ENDPOINT</c>) is set to.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The CDN's address (another origin), where LFS files are redirected to.</summary>
    public Uri CdnEndpoint { get; private set; } = null!;

    /// <summary>How long a signed CDN URL stays valid.</summary>
    public TimeSpan SignedUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    public static async Task<FakeHuggingFace> StartAsync()
    {
        var fake = new FakeHuggingFace();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0", "http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        fake._app = app;
        fake.Endpoint = new Uri(addresses[0].GetLeftPart(UriPartial.Authority));
        fake.CdnEndpoint = new Uri(addresses[1].GetLeftPart(UriPartial.Authority));
        fake._cdnPort = fake.CdnEndpoint.Port;
        return fake;
    }

    // ---- The test-facing API -------------------------------------------------------------------

    /// <summary>
    /// Creates a model repository with one commit on <c>main</c> holding <paramref name="files"/> (path → content;
    /// LFS when <paramref name="lfs"/> says so, else files of 10 MiB and more and weights by extension, as
    /// the Hub's default <c>.gitattributes</c> does). Returns the commit.
    /// </summary>
    public string AddModel(string repoId, IReadOnlyDictionary<string, FakeContent> files, string? pipelineTag = null, string? libraryName = null,
        string? gated = null, bool isPrivate = false, IEnumerable<string>? tags = null, Func<string, bool>? lfs = null)
    {
        lock (_gate)
        {
            var repo = new Repo(repoId)
            {
                Private = isPrivate,
                Gated = gated,
                PipelineTag = pipelineTag,
                LibraryName = libraryName,
                Tags = tags?.ToList() ?? [],
            };
            _repos[repoId] = repo;
            var commit = PutCommit(repo, files, lfs);
            repo.Branches["main"] = commit.Sha;
            repo.CardData = CardDataOf(commit);
            return commit.Sha;
        }
    }

    /// <summary>Commits new contents of some files (and removals, as null) on a branch; returns the new commit.</summary>
    public string Push(string repoId, IReadOnlyDictionary<string, FakeContent?> changes, string branch = "main")
    {
        lock (_gate)
        {
            var repo = _repos[repoId];
            var files = _commits[repo.Branches[branch]].Files.ToDictionary(f => f.Key, f => f.Value.Content, StringComparer.Ordinal);
            foreach (var (path, content) in changes)
            {
                if (content is null) files.Remove(path); else files[path] = content;
            }
            var commit = PutCommit(repo, files, null);
            repo.Branches[branch] = commit.Sha;
            repo.CardData = CardDataOf(commit);
            return commit.Sha;
        }
    }

    public void AddBranch(string repoId, string branch, string commit)
    {
        lock (_gate) _repos[repoId].Branches[branch] = commit;
    }

    public void AddTag(string repoId, string tag, string commit)
    {
        lock (_gate) _repos[repoId].TagRefs[tag] = commit;
    }

    /// <summary>A legacy or renamed id the Hub redirects to the repository's canonical id.</summary>
    public void AddAlias(string alias, string repoId)
    {
        lock (_gate) _aliases[alias] = repoId;
    }

    /// <summary>A user access token (<c>hf_…</c>) with a role: read, write or fineGrained.</summary>
    public void AddToken(string token, string user, string role = "read")
    {
        lock (_gate) _tokens[token] = new Account(user, role);
    }

    /// <summary>The user accepted a gated repository's conditions (or was added to a private one).</summary>
    public void GrantAccess(string repoId, string user)
    {
        lock (_gate) _repos[repoId].AllowedUsers.Add(user);
    }

    /// <summary>Serves this file's bytes with one byte changed, while its listed size, LFS SHA-256 and ETags stay.</summary>
    public void Corrupt(string repoId, string path)
    {
        lock (_gate) _corrupted.Add(Key(repoId, path));
    }

    /// <summary>The next response for the file that reaches <paramref name="offset"/> holds there until released.</summary>
    public FakeHfStall StallAt(string repoId, string path, long offset)
    {
        var stall = new FakeHfStall(repoId, path, offset);
        lock (_gate) _stalls.Add(stall);
        return stall;
    }

    /// <summary>A file as the Hub holds it on a branch (or commit).</summary>
    public FakeHfFile File(string repoId, string path, string revision = "main")
    {
        lock (_gate)
        {
            var repo = _repos[repoId];
            return _commits[ResolveRevision(repo, revision)!].Files[path];
        }
    }

    public string Head(string repoId, string branch = "main")
    {
        lock (_gate) return _repos[repoId].Branches[branch];
    }

    /// <summary>Bytes of a file's content written to responses (through the Hub or the CDN).</summary>
    public long BytesServed(string repoId, string path)
    {
        lock (_gate) return _served.GetValueOrDefault(Key(repoId, path));
    }

    public IReadOnlyList<FakeHfDownload> Downloads(string? repoId = null, string? path = null)
    {
        lock (_gate) return _downloads.Where(d => (repoId is null || d.Repository == repoId) && (path is null || d.Path == path)).ToList();
    }

    /// <summary>Requests to the CDN that carried an <c>Authorization</c> header: a client that sends its Hub token to another origin.</summary>
    public int CdnRequestsWithToken => Volatile.Read(ref _cdnRequestsWithToken);

    /// <summary>Every request as <c>METHOD path?query</c> (with <c>[auth]</c> when it carried a token).</summary>
    public IReadOnlyList<string> Requests
    {
        get { lock (_gate) return _requests.ToList(); }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var stall in _stalls) stall.Release();
        }
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    // ---- Repository content --------------------------------------------------------------------

    private static readonly string[] LfsExtensions =
        [".bin", ".safetensors", ".pt", ".pth", ".ckpt", ".h5", ".onnx", ".gguf", ".msgpack", ".model", ".pb", ".tflite", ".ot", ".zip", ".tar.gz", ".npy"];

    private Commit PutCommit(Repo repo, IReadOnlyDictionary<string, FakeContent> files, Func<string, bool>? lfs)
    {
        var tree = new SortedDictionary<string, FakeHfFile>(StringComparer.Ordinal);
        foreach (var (path, content) in files)
        {
            var isLfs = lfs?.Invoke(path) ?? (content.Length >= 10 << 20 || LfsExtensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)));
            var (sha256, gitBlob) = content.Hashes();
            if (isLfs)
            {
                // What git stores for an LFS file is its pointer; the blob id is the pointer's.
                var pointer = Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {content.Length}\n");
                var pointerId = FakeContent.Of(pointer).Hashes().GitBlobId;
                tree[path] = new FakeHfFile(path, content, true, sha256, pointerId, pointer.Length);
                _cdnObjects[CdnResource(repo.Id, sha256)] = (repo.Id, tree[path]);
            }
            else
            {
                tree[path] = new FakeHfFile(path, content, false, sha256, gitBlob, 0);
            }
        }
        var sha = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var commit = new Commit(sha, tree, DateTimeOffset.UtcNow);
        _commits[sha] = commit;
        repo.Commits.Add(sha);
        return commit;
    }

    /// <summary>The model card's YAML header as the Hub returns it in <c>cardData</c> (the simple key: value and list forms).</summary>
    private static JsonObject? CardDataOf(Commit commit)
    {
        if (!commit.Files.TryGetValue("README.md", out var readme) || readme.Size > 1 << 20)
        {
            return null;
        }
        var bytes = new byte[readme.Size];
        readme.Content.Read(0, bytes);
        var lines = Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length < 2 || lines[0].Trim() != "---")
        {
            return null;
        }
        var card = new JsonObject();
        string? listKey = null;
        foreach (var line in lines.Skip(1))
        {
            if (line.Trim() == "---")
            {
                return card;
            }
            if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("  - ", StringComparison.Ordinal))
            {
                if (listKey is not null && card[listKey] is JsonArray list) list.Add(Unquote(line.TrimStart()[2..].Trim()));
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (value.Length == 0)
            {
                card[key] = new JsonArray();
                listKey = key;
            }
            else
            {
                card[key] = Unquote(value);
                listKey = null;
            }
        }
        return null;

        static string Unquote(string value) => value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
    }

    private string? ResolveRevision(Repo repo, string revision)
    {
        if (revision == "HEAD") revision = "main";
        if (repo.Branches.TryGetValue(revision, out var sha) || repo.TagRefs.TryGetValue(revision, out sha)) return sha;
        if (revision.StartsWith("refs/heads/", StringComparison.Ordinal) && repo.Branches.TryGetValue(revision["refs/heads/".Length..], out sha)) return sha;
        return repo.Commits.Contains(revision) ? revision : null;
    }

    private static string Key(string repoId, string path) => repoId + "\n" + path;

    // ---- HTTP ----------------------------------------------------------------------------------

    private sealed class HubError(int status, string? code, string message) : Exception(message)
    {
        public int Status { get; } = status;
        public string? Code { get; } = code;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var hasAuth = request.Headers.Authorization.Count > 0;
        lock (_gate) _requests.Add($"{request.Method} {request.Path}{request.QueryString}{(hasAuth ? " [auth]" : "")}");
        try
        {
            if (context.Connection.LocalPort == _cdnPort)
            {
                await ServeCdnAsync(context);
                return;
            }
            // Kestrel leaves %2F encoded in the path: segments are split first, then unescaped.
            var raw = request.Path.Value ?? "";
            var segments = raw.TrimStart('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
            if (segments is ["api", "whoami-v2"] && HttpMethods.IsGet(request.Method))
            {
                await WhoAmIAsync(context);
                return;
            }
            if (segments.Length >= 3 && segments[0] == "api" && segments[1] == "models" && HttpMethods.IsGet(request.Method))
            {
                await ModelInfoAsync(context, segments[2..]);
                return;
            }
            var resolveAt = Array.IndexOf(segments, "resolve");
            if (resolveAt is 1 or 2 && segments.Length > resolveAt + 2 && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
            {
                await ResolveAsync(context, string.Join('/', segments[..resolveAt]), segments[resolveAt + 1], string.Join('/', segments[(resolveAt + 2)..]));
                return;
            }
            throw new HubError(404, null, "Sorry, we can't find the page you are looking for.");
        }
        catch (HubError error)
        {
            if (context.Response.HasStarted) return;
            context.Response.StatusCode = error.Status;
            if (error.Code is not null) context.Response.Headers["X-Error-Code"] = error.Code;
            context.Response.Headers["X-Error-Message"] = error.Message;
            context.Response.Headers["X-Request-Id"] = "Root=1-" + Guid.NewGuid().ToString("N")[..24];
            if (!HttpMethods.IsHead(request.Method))
            {
                await context.Response.WriteAsJsonAsync(new JsonObject { ["error"] = error.Message });
            }
        }
    }

    /// <summary>The caller's account: null without a token; a bad token is 401 whatever the route.</summary>
    private Account? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0) return null;
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.TryGetValue(header["Bearer ".Length..].Trim(), out var account))
        {
            throw new HubError(401, null, "Invalid credentials in Authorization header");
        }
        return account;
    }

    private async Task WhoAmIAsync(HttpContext context)
    {
        Account? account;
        lock (_gate) account = Authenticate(context);
        if (account is null) throw new HubError(401, null, "Invalid credentials in Authorization header");
        context.Response.StatusCode = 200;
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["type"] = "user",
            ["id"] = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(account.Name)))[..24],
            ["name"] = account.Name,
            ["fullname"] = account.Name,
            ["isPro"] = false,
            ["orgs"] = new JsonArray(),
            ["auth"] = new JsonObject
            {
                ["type"] = "access_token",
                ["accessToken"] = new JsonObject { ["displayName"] = "modelshub", ["role"] = account.Role, ["createdAt"] = "2025-01-01T00:00:00.000Z" },
            },
        });
    }

    /// <summary>The repository a path names (following aliases with a relative redirect), refused as the Hub refuses unknown and private ones.</summary>
    private Repo? FindRepo(HttpContext context, string repoId, Account? account, Func<string, string> redirectTo)
    {
        if (!_repos.TryGetValue(repoId, out var repo))
        {
            if (_aliases.TryGetValue(repoId, out var canonical))
            {
                context.Response.StatusCode = 307;
                context.Response.Headers.Location = redirectTo(canonical);
                return null;
            }
            throw RepoNotFound(account);
        }
        if (repo.Private && (account is null || !repo.AllowedUsers.Contains(account.Name)))
        {
            throw RepoNotFound(account);
        }
        return repo;
    }

    // Without a token the Hub answers 401 for an unknown repository, so it does not say whether a private one exists.
    private static HubError RepoNotFound(Account? account) => new(account is null ? 401 : 404, "RepoNotFound", "Repository not found");

    private async Task ModelInfoAsync(HttpContext context, string[] rest)
    {
        JsonObject body;
        lock (_gate)
        {
            var account = Authenticate(context);
            var at = Array.IndexOf(rest, "revision");
            var repoId = string.Join('/', at < 0 ? rest : rest[..at]);
            var revision = at < 0 ? "main" : string.Join('/', rest[(at + 1)..]);
            if (repoId.Length == 0 || (at >= 0 && revision.Length == 0)) throw new HubError(404, null, "Sorry, we can't find the page you are looking for.");
            var repo = FindRepo(context, repoId, account,
                canonical => $"/api/models/{canonical}{(at < 0 ? "" : "/revision/" + Uri.EscapeDataString(revision))}{context.Request.QueryString}");
            if (repo is null) return;
            var sha = ResolveRevision(repo, revision) ?? throw new HubError(404, "RevisionNotFound", $"Invalid rev id: {revision}");
            var commit = _commits[sha];
            var blobs = context.Request.Query["blobs"] is { Count: > 0 } b && (b.ToString() is "true" or "1" or "True");
            var siblings = new JsonArray();
            foreach (var file in commit.Files.Values)
            {
                var sibling = new JsonObject { ["rfilename"] = file.Path };
                if (blobs)
                {
                    sibling["blobId"] = file.BlobId;
                    sibling["size"] = file.Size;
                    if (file.Lfs)
                    {
                        sibling["lfs"] = new JsonObject { ["sha256"] = file.Sha256, ["size"] = file.Size, ["pointerSize"] = file.PointerSize };
                    }
                }
                siblings.Add(sibling);
            }
            var author = repo.Id.Contains('/') ? repo.Id.Split('/')[0] : null;
            var full = new JsonObject
            {
                ["_id"] = repo.ObjectId,
                ["id"] = repo.Id,
                ["private"] = repo.Private,
                ["pipeline_tag"] = repo.PipelineTag,
                ["library_name"] = repo.LibraryName,
                ["tags"] = new JsonArray(repo.Tags.Select(t => (JsonNode)t).ToArray()),
                ["downloads"] = 1234,
                ["likes"] = 56,
                ["modelId"] = repo.Id,
                ["author"] = author,
                ["sha"] = sha,
                ["lastModified"] = commit.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["gated"] = repo.Gated is null ? false : repo.Gated,
                ["disabled"] = false,
                ["cardData"] = repo.CardData?.DeepClone(),
                ["siblings"] = siblings,
                ["spaces"] = new JsonArray(),
                ["createdAt"] = repo.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["usedStorage"] = commit.Files.Values.Sum(f => f.Size),
            };
            if (full["library_name"] is null) full.Remove("library_name");
            if (full["pipeline_tag"] is null) full.Remove("pipeline_tag");
            if (full["cardData"] is null) full.Remove("cardData");
            if (author is null) full.Remove("author");
            var expand = context.Request.Query["expand"].Concat(context.Request.Query["expand[]"]).Where(e => !string.IsNullOrEmpty(e)).ToList();
            if (expand.Count > 0)
            {
                // With expand the Hub returns the ids and only the fields asked for.
                body = new JsonObject { ["_id"] = repo.ObjectId, ["id"] = repo.Id };
                foreach (var field in expand)
                {
                    if (full[field!] is { } value) body[field!] = value.DeepClone();
                }
            }
            else
            {
                body = full;
            }
        }
        context.Response.StatusCode = 200;
        await context.Response.WriteAsJsonAsync(body);
    }

    private async Task ResolveAsync(HttpContext context, string repoId, string revision, string path)
    {
        FakeHfFile file;
        string sha;
        lock (_gate)
        {
            var account = Authenticate(context);
            var repo = FindRepo(context, repoId, account,
                canonical => $"/{canonical}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}");
            if (repo is null) return;
            if (repo.Gated is not null && (account is null || !repo.AllowedUsers.Contains(account.Name)))
            {
                throw account is null
                    ? new HubError(401, "GatedRepo", $"Access to model {repo.Id} is restricted. You must have access to it and be authenticated to access it. Please log in.")
                    : new HubError(403, "GatedRepo", $"Access to model {repo.Id} is restricted and you are not in the authorized list. Visit {Endpoint.ToString().TrimEnd('/')}/{repo.Id} to ask for access.");
            }
            sha = ResolveRevision(repo, revision) ?? throw new HubError(404, "RevisionNotFound", $"Invalid rev id: {revision}");
            file = _commits[sha].Files.GetValueOrDefault(path) ?? throw new HubError(404, "EntryNotFound", "Entry not found");
        }
        var response = context.Response;
        response.Headers["X-Repo-Commit"] = sha;
        response.Headers["Access-Control-Expose-Headers"] = "X-Repo-Commit,X-Linked-Size,X-Linked-Etag,X-Error-Code,X-Error-Message,ETag,Link,Accept-Ranges,Content-Range";
        if (file.Lfs)
        {
            // The Hub answers LFS files with a redirect to a signed URL on its CDN, and says what is behind it.
            response.StatusCode = 302;
            response.Headers.ETag = $"\"{file.BlobId}\"";
            response.Headers["X-Linked-Size"] = file.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["X-Linked-Etag"] = $"\"{file.Sha256}\"";
            response.Headers.Location = SignedCdnUrl(repoId, file);
            return;
        }
        response.Headers.ETag = $"\"{file.BlobId}\"";
        response.Headers.ContentDisposition = $"inline; filename*=UTF-8''{Uri.EscapeDataString(Path.GetFileName(path))}; filename=\"{Path.GetFileName(path)}\";";
        await ServeBytesAsync(context, repoId, file, path.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "text/plain; charset=utf-8");
    }

    private string SignedCdnUrl(string repoId, FakeHfFile file)
    {
        var expires = DateTimeOffset.UtcNow.Add(SignedUrlLifetime).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var resource = CdnResource(repoId, file.Sha256);
        var disposition = $"inline; filename*=UTF-8''{Path.GetFileName(file.Path)};";
        return new Uri(CdnEndpoint, $"{resource}?response-content-disposition={Uri.EscapeDataString(disposition)}&Expires={expires}&Signature={Sign(resource, expires, disposition)}").ToString();
    }

    // Signed over the decoded values (as an object store canonicalizes them), so a client may re-encode the query.
    private string Sign(string resource, string expires, string disposition) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_signingKey, Encoding.UTF8.GetBytes($"{resource}\n{expires}\n{disposition}")));

    private static string CdnResource(string repoId, string sha256) =>
        $"/repos/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repoId)))[..16]}/{sha256}";

    private async Task ServeCdnAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            await CdnErrorAsync(context, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
            return;
        }
        // A signed URL is its own authorization: like CloudFront, the CDN ignores an Authorization header
        // (huggingface.js sends one), and tests read CdnRequestsWithToken to see whether a client leaked it.
        if (request.Headers.Authorization.Count > 0)
        {
            Interlocked.Increment(ref _cdnRequestsWithToken);
        }
        var expected = Sign(request.Path.Value ?? "", request.Query["Expires"].ToString(), request.Query["response-content-disposition"].ToString());
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(request.Query["Signature"].ToString()), Encoding.ASCII.GetBytes(expected)))
        {
            await CdnErrorAsync(context, 403, "AccessDenied", "Access denied");
            return;
        }
        if (!long.TryParse(request.Query["Expires"], out var expires) || DateTimeOffset.FromUnixTimeSeconds(expires) < DateTimeOffset.UtcNow)
        {
            await CdnErrorAsync(context, 403, "AccessDenied", "Request has expired");
            return;
        }
        (string Repository, FakeHfFile File) found;
        lock (_gate)
        {
            if (!_cdnObjects.TryGetValue(request.Path.Value ?? "", out found)) found = default;
        }
        if (found.File is null)
        {
            await CdnErrorAsync(context, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        var (repoId, file) = (found.Repository!, found.File);
        context.Response.Headers.ETag = $"\"{Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(file.Sha256)))}-{Math.Max(1, file.Size / (8 << 20))}\"";
        context.Response.Headers["X-Cache"] = "Miss from cloudfront";
        await ServeBytesAsync(context, repoId, file, "application/octet-stream");
    }

    private static async Task CdnErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{WebUtility.HtmlEncode(message)}</Message></Error>");
        }
    }

    /// <summary>The file's bytes, whole (200) or one range (206, <c>Content-Range</c>); 416 for a range past the end.</summary>
    private async Task ServeBytesAsync(HttpContext context, string repoId, FakeHfFile file, string contentType)
    {
        var response = context.Response;
        var size = file.Size;
        response.Headers.AcceptRanges = "bytes";
        response.ContentType = contentType;
        var (from, to) = (0L, size - 1);
        var range = context.Request.Headers.Range.ToString();
        if (range.Length > 0)
        {
            if (!TryParseRange(range, size, out from, out to))
            {
                response.StatusCode = 416;
                response.Headers.ContentRange = $"bytes */{size}";
                return;
            }
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {from}-{to}/{size}";
        }
        else
        {
            response.StatusCode = 200;
        }
        var length = size == 0 ? 0 : to - from + 1;
        response.ContentLength = length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        bool corrupt;
        FakeHfStall? stall;
        var key = Key(repoId, file.Path);
        lock (_gate)
        {
            corrupt = _corrupted.Contains(key);
            stall = _stalls.FirstOrDefault(s => s.Repository == repoId && s.Path == file.Path && s.Offset >= from && s.Offset < from + length);
            if (stall is not null) _stalls.Remove(stall);
        }
        var corruptAt = size / 2;
        var buffer = ArrayPool<byte>.Shared.Rent(WriteBuffer);
        long served = 0;
        var completed = false;
        try
        {
            var position = from;
            var end = from + length;
            while (position < end)
            {
                var stop = stall is not null && position < stall.Offset ? stall.Offset : end;
                if (stall is not null && position == stall.Offset)
                {
                    await response.Body.FlushAsync(context.RequestAborted);
                    await stall.HoldAsync(context.RequestAborted);
                    stall = null;
                    continue;
                }
                var n = (int)Math.Min(WriteBuffer, stop - position);
                file.Content.Read(position, buffer.AsSpan(0, n));
                if (corrupt && corruptAt >= position && corruptAt < position + n)
                {
                    buffer[corruptAt - position] ^= 0xFF;
                }
                await response.Body.WriteAsync(buffer.AsMemory(0, n), context.RequestAborted);
                position += n;
                served += n;
                lock (_gate) _served[key] = _served.GetValueOrDefault(key) + n;
            }
            completed = true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away (killed mid-file): what was written so far is what was served.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            lock (_gate) _downloads.Add(new FakeHfDownload(repoId, file.Path, from, from + length - 1, served, completed));
        }
    }

    private static bool TryParseRange(string header, long size, out long from, out long to)
    {
        from = 0;
        to = size - 1;
        if (!header.StartsWith("bytes=", StringComparison.Ordinal) || header.Contains(',', StringComparison.Ordinal))
        {
            return false;
        }
        var spec = header["bytes=".Length..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0) return false;
        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            // bytes=-N: the last N bytes.
            if (!long.TryParse(last, out var suffix) || suffix <= 0) return false;
            from = Math.Max(0, size - suffix);
            return size > 0;
        }
        if (!long.TryParse(first, out from) || from >= size) return false;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, out to) || to < from) return false;
            to = Math.Min(to, size - 1);
        }
        return true;
    }
}
