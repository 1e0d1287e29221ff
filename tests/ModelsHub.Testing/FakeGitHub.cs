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

/// <summary>A commit in the fake's object store.</summary>
public sealed record FakeCommit(string Sha, string TreeSha, IReadOnlyList<string> Parents, string Message, DateTimeOffset At);

/// <summary>A pull request held by the fake.</summary>
public sealed record FakePullRequest(int Number, string BaseRepository, string HeadOwner, string HeadRepository, string HeadBranch, string BaseBranch,
    string Title, string Body, bool Open, bool Merged, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>
/// A stateful GitHub REST API (the GitHub Enterprise layout, <c>/api/v3/...</c>) on 127.0.0.1, for
/// Octokit: users and tokens (with <c>X-OAuth-Scopes</c>), repositories with push permissions,
/// forks, git refs, blobs, trees and commits, raw and JSON contents (GET and PUT), and pull
/// requests (list, create, get, update). It holds the six upstream model files at their upstream
/// paths, and offers tests a small API to set files, merge or close pull requests and inspect commits.
/// </summary>
public sealed class FakeGitHub : IAsyncDisposable
{
    public const string UpstreamRepository = "xorbitsai/inference";
    public const string BaseBranch = "main";

    /// <summary>The six files, by fixture name (llm, embedding, ...), at their upstream paths.</summary>
    public static IReadOnlyDictionary<string, string> UpstreamPaths { get; } = new Dictionary<string, string>
    {
        ["llm"] = "xinference/model/llm/llm_family.json",
        ["embedding"] = "xinference/model/embedding/model_spec.json",
        ["rerank"] = "xinference/model/rerank/model_spec.json",
        ["image"] = "xinference/model/image/model_spec.json",
        ["audio"] = "xinference/model/audio/model_spec.json",
        ["video"] = "xinference/model/video/model_spec.json",
    };

    private sealed class Repo(string owner, string name, string? forkOf)
    {
        public string Owner { get; } = owner;
        public string Name { get; } = name;
        public string? ForkOf { get; } = forkOf;
        public string FullName => $"{Owner}/{Name}";
        public Dictionary<string, string> Refs { get; } = new(StringComparer.Ordinal);
    }

    private sealed record Token(string Login, IReadOnlyList<string> Scopes, bool CanPushUpstream);

    private readonly object _gate = new();
    private readonly Dictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, string>> _trees = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeCommit> _commits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Repo> _repos = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Token> _tokens = new(StringComparer.Ordinal);
    private readonly List<FakePullRequest> _pulls = [];
    private readonly List<string> _unhandled = [];
    private WebApplication? _app;
    private long _requests;

    private FakeGitHub()
    {
    }

    /// <summary>The API address to configure (<c>GitHub:ApiUrl</c>): Octokit adds <c>api/v3/</c>.</summary>
    public Uri ApiUrl { get; private set; } = null!;

    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>Requests the fake does not implement (method and path): a test failing oddly should look here.</summary>
    public IReadOnlyList<string> Unhandled
    {
        get { lock (_gate) return _unhandled.ToList(); }
    }

    /// <summary>Starts the fake with <c>xorbitsai/inference</c> holding the upstream fixtures on <c>main</c>.</summary>
    public static async Task<FakeGitHub> StartAsync(IReadOnlyDictionary<string, string>? files = null)
    {
        var fake = new FakeGitHub();
        files ??= UpstreamPaths.ToDictionary(p => p.Value, p => UpstreamFixtures.ReadText(p.Key));
        var owner = UpstreamRepository.Split('/');
        var repo = new Repo(owner[0], owner[1], null);
        fake._repos[repo.FullName] = repo;
        var tree = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, content) in files)
        {
            tree[path] = fake.PutBlob(Encoding.UTF8.GetBytes(content));
        }
        var root = fake.PutCommit(fake.PutTree(tree), [], "Upstream files at 7ecec16b");
        repo.Refs["refs/heads/" + BaseBranch] = root;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 256 * 1024 * 1024);
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake._app = app;
        fake.ApiUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    // ---- The test-facing API -------------------------------------------------------------------

    /// <summary>A token GitHub accepts, for <paramref name="login"/>; it may push to the login's own repositories, and upstream when allowed.</summary>
    public void AddToken(string token, string login, bool canPushUpstream = true, params string[] scopes)
    {
        lock (_gate) _tokens[token] = new Token(login, scopes.Length == 0 ? ["repo"] : scopes, canPushUpstream);
    }

    /// <summary>Commits a file on a branch of a repository (as a maintainer of the model repository would).</summary>
    public string SetFile(string path, string content, string repository = UpstreamRepository, string branch = BaseBranch, string message = "Set file")
    {
        lock (_gate)
        {
            var repo = _repos[repository];
            var parent = repo.Refs.GetValueOrDefault("refs/heads/" + branch);
            var tree = parent is null ? new SortedDictionary<string, string>(StringComparer.Ordinal) : new SortedDictionary<string, string>(_trees[_commits[parent].TreeSha], StringComparer.Ordinal);
            tree[path] = PutBlob(Encoding.UTF8.GetBytes(content));
            var sha = PutCommit(PutTree(tree), parent is null ? [] : [parent], message);
            repo.Refs["refs/heads/" + branch] = sha;
            return sha;
        }
    }

    /// <summary>A file's text at a branch (or commit) of a repository, or null.</summary>
    public string? GetFile(string path, string repository = UpstreamRepository, string reference = BaseBranch)
    {
        lock (_gate)
        {
            return _repos.TryGetValue(repository, out var repo) && Resolve(repo, reference) is { } sha
                && _trees[_commits[sha].TreeSha].TryGetValue(path, out var blob)
                ? Encoding.UTF8.GetString(_blobs[blob])
                : null;
        }
    }

    public IReadOnlyList<FakePullRequest> PullRequests()
    {
        lock (_gate) return _pulls.ToList();
    }

    public int CountPullRequests(bool openOnly = false)
    {
        lock (_gate) return _pulls.Count(p => !openOnly || p.Open);
    }

    public FakePullRequest? FindPullRequest(string headBranch)
    {
        lock (_gate) return _pulls.LastOrDefault(p => p.HeadBranch == headBranch);
    }

    /// <summary>
    /// Merges a pull request as GitHub's merge button does: a merge commit on the base branch (parents:
    /// the base's head and the pull request's head) whose tree is the base's with the files the pull
    /// request changed (since the branches' merge base) taken from its head. Returns the merge commit.
    /// </summary>
    public string MergePullRequest(int number)
    {
        lock (_gate)
        {
            var i = _pulls.FindIndex(p => p.Number == number);
            var pr = _pulls[i];
            var headSha = _repos[pr.HeadRepository].Refs["refs/heads/" + pr.HeadBranch];
            var baseRepo = _repos[pr.BaseRepository];
            var baseSha = baseRepo.Refs["refs/heads/" + pr.BaseBranch];
            var onBase = Ancestors(baseSha);
            var mergeBase = headSha;
            while (!onBase.Contains(mergeBase)) mergeBase = _commits[mergeBase].Parents[0];
            var before = _trees[_commits[mergeBase].TreeSha];
            var theirs = _trees[_commits[headSha].TreeSha];
            var tree = new SortedDictionary<string, string>(_trees[_commits[baseSha].TreeSha], StringComparer.Ordinal);
            foreach (var path in before.Keys.Union(theirs.Keys).ToList())
            {
                var was = before.GetValueOrDefault(path);
                var now = theirs.GetValueOrDefault(path);
                if (was == now) continue;
                if (tree.GetValueOrDefault(path) is { } ours && ours != was) throw new InvalidOperationException($"Merge conflict in {path}: the fake does not merge file contents.");
                if (now is null) tree.Remove(path); else tree[path] = now;
            }
            var merge = PutCommit(PutTree(tree), [baseSha, headSha], $"Merge pull request #{number} from {pr.HeadOwner}/{pr.HeadBranch}");
            baseRepo.Refs["refs/heads/" + pr.BaseBranch] = merge;
            _pulls[i] = pr with { Open = false, Merged = true };
            return merge;
        }
    }

    public void ClosePullRequest(int number)
    {
        lock (_gate)
        {
            var i = _pulls.FindIndex(p => p.Number == number);
            _pulls[i] = _pulls[i] with { Open = false };
        }
    }

    /// <summary>The commits on <paramref name="branch"/> of <paramref name="repository"/> that the upstream base branch does not have, newest first.</summary>
    public IReadOnlyList<FakeCommit> CommitsAhead(string branch, string repository = UpstreamRepository)
    {
        lock (_gate)
        {
            var onBase = Ancestors(_repos[UpstreamRepository].Refs["refs/heads/" + BaseBranch]);
            var head = _repos[repository].Refs.GetValueOrDefault("refs/heads/" + branch);
            if (head is null) return [];
            var result = new List<FakeCommit>();
            for (var sha = head; sha is not null && !onBase.Contains(sha); sha = _commits[sha].Parents.FirstOrDefault())
            {
                result.Add(_commits[sha]);
            }
            return result;
        }
    }

    /// <summary>The commit a branch of a repository points at, or null.</summary>
    public string? BranchHead(string branch = BaseBranch, string repository = UpstreamRepository)
    {
        lock (_gate) return _repos.TryGetValue(repository, out var repo) ? repo.Refs.GetValueOrDefault("refs/heads/" + branch) : null;
    }

    public bool BranchExists(string branch, string repository = UpstreamRepository)
    {
        lock (_gate) return _repos.TryGetValue(repository, out var repo) && repo.Refs.ContainsKey("refs/heads/" + branch);
    }

    public bool RepositoryExists(string repository)
    {
        lock (_gate) return _repos.ContainsKey(repository);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    // ---- Object store --------------------------------------------------------------------------

    private static string Sha(string kind, ReadOnlySpan<byte> content)
    {
        var header = Encoding.ASCII.GetBytes($"{kind} {content.Length}\0");
        var all = new byte[header.Length + content.Length];
        header.CopyTo(all, 0);
        content.CopyTo(all.AsSpan(header.Length));
        return Convert.ToHexStringLower(SHA1.HashData(all));
    }

    private string PutBlob(byte[] content)
    {
        var sha = Sha("blob", content);
        _blobs.TryAdd(sha, content);
        return sha;
    }

    private string PutTree(SortedDictionary<string, string> entries)
    {
        var sha = Sha("tree", Encoding.UTF8.GetBytes(string.Join("\n", entries.Select(e => e.Key + " " + e.Value))));
        _trees.TryAdd(sha, entries);
        return sha;
    }

    private string PutCommit(string tree, IReadOnlyList<string> parents, string message)
    {
        var at = DateTimeOffset.UtcNow;
        var sha = Sha("commit", Encoding.UTF8.GetBytes($"{tree}\n{string.Join(",", parents)}\n{message}\n{at.UtcTicks}\n{Guid.NewGuid()}"));
        _commits[sha] = new FakeCommit(sha, tree, parents, message, at);
        return sha;
    }

    private HashSet<string> Ancestors(string sha)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([sha]);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (seen.Add(next) && _commits.TryGetValue(next, out var commit))
            {
                foreach (var parent in commit.Parents) stack.Push(parent);
            }
        }
        return seen;
    }

    private string? Resolve(Repo repo, string reference)
    {
        if (repo.Refs.TryGetValue("refs/heads/" + reference, out var sha) || repo.Refs.TryGetValue(reference, out sha)) return sha;
        return _commits.ContainsKey(reference) ? reference : null;
    }

    // ---- HTTP ----------------------------------------------------------------------------------

    private sealed class ApiError(int status, string message, JsonArray? errors = null) : Exception(message)
    {
        public int Status { get; } = status;
        public JsonArray? Errors { get; } = errors;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var path = context.Request.Path.Value ?? "";
        try
        {
            if (!path.StartsWith("/api/v3/", StringComparison.Ordinal))
            {
                throw new ApiError(404, "Not Found");
            }
            JsonNode? body = null;
            if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                body = await JsonNode.ParseAsync(context.Request.Body);
            }
            var segments = path["/api/v3/".Length..].Split('/').Select(Uri.UnescapeDataString).ToArray();
            object? result;
            int status;
            lock (_gate)
            {
                (status, result) = Route(context, context.Request.Method, segments, body);
            }
            context.Response.StatusCode = status;
            switch (result)
            {
                case byte[] raw:
                    context.Response.ContentType = "application/vnd.github.v3.raw";
                    await context.Response.Body.WriteAsync(raw);
                    break;
                case JsonNode node:
                    context.Response.ContentType = "application/json; charset=utf-8";
                    await context.Response.WriteAsync(node.ToJsonString());
                    break;
            }
        }
        catch (ApiError error)
        {
            context.Response.StatusCode = error.Status;
            context.Response.ContentType = "application/json; charset=utf-8";
            var problem = new JsonObject { ["message"] = error.Message, ["documentation_url"] = "https://docs.github.com/rest" };
            if (error.Errors is not null) problem["errors"] = error.Errors;
            await context.Response.WriteAsync(problem.ToJsonString());
        }
    }

    private (int, object?) Route(HttpContext context, string method, string[] s, JsonNode? body)
    {
        var user = Authenticate(context);
        if (s is ["user"] && method == "GET")
        {
            if (user is null) throw new ApiError(401, "Bad credentials");
            context.Response.Headers["X-OAuth-Scopes"] = string.Join(", ", user.Scopes);
            context.Response.Headers["X-Accepted-OAuth-Scopes"] = "";
            return (200, new JsonObject { ["login"] = user.Login, ["id"] = Math.Abs(user.Login.GetHashCode()), ["type"] = "User", ["name"] = user.Login });
        }
        if (s.Length >= 3 && s[0] == "repos")
        {
            if (context.Request.Headers.Authorization.Count > 0 && user is null) throw new ApiError(401, "Bad credentials");
            var full = $"{s[1]}/{s[2]}";
            var rest = s[3..];
            if (!_repos.TryGetValue(full, out var repo))
            {
                throw new ApiError(404, "Not Found");
            }
            return (method, rest) switch
            {
                ("GET", []) => (200, RepoJson(repo, user)),
                ("POST", ["forks"]) => Fork(repo, RequireUser(user)),
                ("GET", ["contents", ..]) => GetContents(context, repo, string.Join('/', rest[1..])),
                ("PUT", ["contents", ..]) => PutContents(repo, RequireWrite(repo, user), string.Join('/', rest[1..]), body!),
                ("GET", ["git", "ref" or "refs", ..]) => GetRef(repo, "refs/" + string.Join('/', rest[2..])),
                ("POST", ["git", "refs"]) => CreateRef(repo, RequireWrite(repo, user), body!),
                ("PATCH", ["git", "refs", ..]) => UpdateRef(repo, RequireWrite(repo, user), "refs/" + string.Join('/', rest[2..]), body!),
                ("GET", ["git", "commits", var sha]) => (200, CommitJson(repo, Commit(sha))),
                ("POST", ["git", "commits"]) => CreateCommit(repo, RequireWrite(repo, user), body!),
                ("POST", ["git", "blobs"]) => CreateBlob(repo, RequireWrite(repo, user), body!),
                ("GET", ["git", "blobs", var sha]) => (200, BlobJson(sha)),
                ("POST", ["git", "trees"]) => CreateTree(repo, RequireWrite(repo, user), body!),
                ("GET", ["pulls"]) => (200, new JsonArray(ListPulls(repo, context.Request.Query).Select(p => (JsonNode?)PullJson(p)).ToArray())),
                ("POST", ["pulls"]) => CreatePull(repo, RequireUser(user), body!),
                ("GET", ["pulls", var n]) => (200, PullJson(Pull(repo, n))),
                ("PATCH", ["pulls", var n]) => UpdatePull(repo, RequireUser(user), n, body!),
                ("GET", ["pulls", var n, "commits"]) => (200, PullCommits(repo, n)),
                ("GET", ["collaborators", var login, "permission"]) => (200, new JsonObject { ["permission"] = CanPush(repo, login) ? "write" : "read", ["user"] = new JsonObject { ["login"] = login } }),
                _ => NotImplemented(method, context.Request.Path),
            };
        }
        return NotImplemented(method, context.Request.Path);
    }

    private (int, object?) NotImplemented(string method, PathString path)
    {
        _unhandled.Add($"{method} {path}");
        throw new ApiError(404, "Not Found (the fake GitHub does not implement this)");
    }

    private Token? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var parts = header.Split(' ', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2 && (parts[0].Equals("token", StringComparison.OrdinalIgnoreCase) || parts[0].Equals("bearer", StringComparison.OrdinalIgnoreCase))
            && _tokens.TryGetValue(parts[1], out var token) ? token : null;
    }

    private static Token RequireUser(Token? user) => user ?? throw new ApiError(401, "Requires authentication");

    private Token RequireWrite(Repo repo, Token? user)
    {
        var token = RequireUser(user);
        return CanPush(repo, token.Login, token) ? token : throw new ApiError(403, "Resource not accessible by personal access token");
    }

    private bool CanPush(Repo repo, string login, Token? token = null)
    {
        if (string.Equals(repo.Owner, login, StringComparison.OrdinalIgnoreCase)) return true;
        token ??= _tokens.Values.FirstOrDefault(t => t.Login == login);
        return repo.FullName.Equals(UpstreamRepository, StringComparison.OrdinalIgnoreCase) && token?.CanPushUpstream == true;
    }

    private JsonObject RepoJson(Repo repo, Token? user) => new()
    {
        ["id"] = Math.Abs(repo.FullName.GetHashCode()),
        ["name"] = repo.Name,
        ["full_name"] = repo.FullName,
        ["owner"] = new JsonObject { ["login"] = repo.Owner, ["type"] = "User" },
        ["private"] = false,
        ["fork"] = repo.ForkOf is not null,
        ["default_branch"] = BaseBranch,
        ["html_url"] = $"{ApiUrl}{repo.FullName}",
        ["url"] = $"{ApiUrl}api/v3/repos/{repo.FullName}",
        ["permissions"] = new JsonObject
        {
            ["admin"] = false,
            ["maintain"] = false,
            ["push"] = user is not null && CanPush(repo, user.Login, user),
            ["triage"] = user is not null,
            ["pull"] = true,
        },
    };

    private (int, object?) Fork(Repo upstream, Token user)
    {
        var full = $"{user.Login}/{upstream.Name}";
        if (!_repos.TryGetValue(full, out var fork))
        {
            fork = new Repo(user.Login, upstream.Name, upstream.FullName);
            foreach (var (name, sha) in upstream.Refs) fork.Refs[name] = sha;
            _repos[full] = fork;
        }
        return (202, RepoJson(fork, user));
    }

    private (int, object?) GetContents(HttpContext context, Repo repo, string path)
    {
        var reference = context.Request.Query["ref"].ToString();
        var sha = Resolve(repo, reference.Length == 0 ? BaseBranch : reference) ?? throw new ApiError(404, "No commit found for the ref " + reference);
        if (!_trees[_commits[sha].TreeSha].TryGetValue(path, out var blob)) throw new ApiError(404, "Not Found");
        var content = _blobs[blob];
        if (context.Request.Headers.Accept.ToString().Contains("raw", StringComparison.OrdinalIgnoreCase))
        {
            return (200, content);
        }
        // As GitHub: files over 1 MB come without content (read them raw or as a blob).
        var large = content.Length > 1024 * 1024;
        return (200, new JsonObject
        {
            ["type"] = "file",
            ["encoding"] = large ? "none" : "base64",
            ["size"] = content.Length,
            ["name"] = path.Split('/')[^1],
            ["path"] = path,
            ["sha"] = blob,
            ["content"] = large ? "" : Convert.ToBase64String(content),
        });
    }

    private (int, object?) PutContents(Repo repo, Token user, string path, JsonNode body)
    {
        var branch = body["branch"]?.GetValue<string>() ?? BaseBranch;
        var head = repo.Refs.GetValueOrDefault("refs/heads/" + branch) ?? throw new ApiError(404, "Branch not found");
        var tree = new SortedDictionary<string, string>(_trees[_commits[head].TreeSha], StringComparer.Ordinal);
        var givenSha = body["sha"]?.GetValue<string>();
        if (tree.TryGetValue(path, out var existing) && givenSha != existing)
        {
            throw givenSha is null ? new ApiError(422, "Invalid request.\n\n\"sha\" wasn't supplied.") : new ApiError(409, $"{path} does not match {givenSha}");
        }
        var blob = PutBlob(Convert.FromBase64String(body["content"]!.GetValue<string>()));
        tree[path] = blob;
        var commit = PutCommit(PutTree(tree), [head], body["message"]?.GetValue<string>() ?? "Update " + path);
        repo.Refs["refs/heads/" + branch] = commit;
        return (existing is null ? 201 : 200, new JsonObject
        {
            ["content"] = new JsonObject { ["path"] = path, ["sha"] = blob, ["name"] = path.Split('/')[^1], ["type"] = "file" },
            ["commit"] = CommitJson(repo, _commits[commit]),
        });
    }

    private (int, object?) GetRef(Repo repo, string name) =>
        repo.Refs.TryGetValue(name, out var sha) ? (200, RefJson(repo, name, sha)) : throw new ApiError(404, "Not Found");

    private JsonObject RefJson(Repo repo, string name, string sha) => new()
    {
        ["ref"] = name,
        ["node_id"] = name,
        ["url"] = $"{ApiUrl}api/v3/repos/{repo.FullName}/git/{name}",
        ["object"] = new JsonObject { ["sha"] = sha, ["type"] = "commit", ["url"] = $"{ApiUrl}api/v3/repos/{repo.FullName}/git/commits/{sha}" },
    };

    private (int, object?) CreateRef(Repo repo, Token user, JsonNode body)
    {
        var name = body["ref"]!.GetValue<string>();
        var sha = body["sha"]!.GetValue<string>();
        if (!name.StartsWith("refs/", StringComparison.Ordinal) || name.Count(c => c == '/') < 2) throw new ApiError(422, "Reference name is invalid");
        if (!_commits.ContainsKey(sha)) throw new ApiError(422, "Object does not exist");
        if (repo.Refs.ContainsKey(name)) throw new ApiError(422, "Reference already exists");
        repo.Refs[name] = sha;
        return (201, RefJson(repo, name, sha));
    }

    private (int, object?) UpdateRef(Repo repo, Token user, string name, JsonNode body)
    {
        var sha = body["sha"]!.GetValue<string>();
        var force = body["force"]?.GetValue<bool>() ?? false;
        if (!repo.Refs.TryGetValue(name, out var current)) throw new ApiError(422, "Reference does not exist");
        if (!_commits.ContainsKey(sha)) throw new ApiError(422, "Object does not exist");
        if (!force && !Ancestors(sha).Contains(current)) throw new ApiError(422, "Update is not a fast forward");
        repo.Refs[name] = sha;
        return (200, RefJson(repo, name, sha));
    }

    private FakeCommit Commit(string sha) => _commits.TryGetValue(sha, out var commit) ? commit : throw new ApiError(404, "Not Found");

    private JsonObject CommitJson(Repo repo, FakeCommit commit)
    {
        var person = new JsonObject { ["name"] = "ModelsHub", ["email"] = "hub@example.invalid", ["date"] = commit.At.ToString("yyyy-MM-ddTHH:mm:ssZ") };
        return new JsonObject
        {
            ["sha"] = commit.Sha,
            ["node_id"] = commit.Sha,
            ["url"] = $"{ApiUrl}api/v3/repos/{repo.FullName}/git/commits/{commit.Sha}",
            ["html_url"] = $"{ApiUrl}{repo.FullName}/commit/{commit.Sha}",
            ["message"] = commit.Message,
            ["author"] = person,
            ["committer"] = person.DeepClone(),
            ["tree"] = new JsonObject { ["sha"] = commit.TreeSha, ["url"] = $"{ApiUrl}api/v3/repos/{repo.FullName}/git/trees/{commit.TreeSha}" },
            ["parents"] = new JsonArray(commit.Parents.Select(p => (JsonNode?)new JsonObject { ["sha"] = p }).ToArray()),
        };
    }

    private (int, object?) CreateCommit(Repo repo, Token user, JsonNode body)
    {
        var tree = body["tree"]!.GetValue<string>();
        var parents = body["parents"]?.AsArray().Select(p => p!.GetValue<string>()).ToList() ?? [];
        if (!_trees.ContainsKey(tree) || parents.Any(p => !_commits.ContainsKey(p))) throw new ApiError(422, "Tree or parent does not exist");
        var sha = PutCommit(tree, parents, body["message"]!.GetValue<string>());
        return (201, CommitJson(repo, _commits[sha]));
    }

    private (int, object?) CreateBlob(Repo repo, Token user, JsonNode body)
    {
        var content = body["content"]!.GetValue<string>();
        var bytes = body["encoding"]?.GetValue<string>() == "base64" ? Convert.FromBase64String(content) : Encoding.UTF8.GetBytes(content);
        var sha = PutBlob(bytes);
        return (201, new JsonObject { ["sha"] = sha, ["url"] = $"{ApiUrl}api/v3/repos/{repo.FullName}/git/blobs/{sha}" });
    }

    private JsonObject BlobJson(string sha) => _blobs.TryGetValue(sha, out var bytes)
        ? new JsonObject { ["sha"] = sha, ["size"] = bytes.Length, ["encoding"] = "base64", ["content"] = Convert.ToBase64String(bytes) }
        : throw new ApiError(404, "Not Found");

    private (int, object?) CreateTree(Repo repo, Token user, JsonNode body)
    {
        var baseTree = body["base_tree"]?.GetValue<string>();
        var entries = baseTree is null ? new SortedDictionary<string, string>(StringComparer.Ordinal)
            : _trees.TryGetValue(baseTree, out var existing) ? new SortedDictionary<string, string>(existing, StringComparer.Ordinal)
            : throw new ApiError(422, "base_tree does not exist");
        foreach (var item in body["tree"]!.AsArray())
        {
            var path = item!["path"]!.GetValue<string>();
            if (item["sha"] is JsonValue shaValue && shaValue.GetValueKind() == JsonValueKind.Null)
            {
                entries.Remove(path);
            }
            else if (item["sha"]?.GetValue<string>() is { } sha)
            {
                entries[path] = _blobs.ContainsKey(sha) ? sha : throw new ApiError(422, "Blob does not exist");
            }
            else
            {
                entries[path] = PutBlob(Encoding.UTF8.GetBytes(item["content"]!.GetValue<string>()));
            }
        }
        var treeSha = PutTree(entries);
        return (201, new JsonObject
        {
            ["sha"] = treeSha,
            ["url"] = $"{ApiUrl}api/v3/repos/{repo.FullName}/git/trees/{treeSha}",
            ["truncated"] = false,
            ["tree"] = new JsonArray(entries.Select(e => (JsonNode?)new JsonObject { ["path"] = e.Key, ["mode"] = "100644", ["type"] = "blob", ["sha"] = e.Value }).ToArray()),
        });
    }

    private IEnumerable<FakePullRequest> ListPulls(Repo repo, IQueryCollection query)
    {
        var state = query["state"].ToString();
        var head = query["head"].ToString();
        var baseBranch = query["base"].ToString();
        return _pulls.Where(p => p.BaseRepository.Equals(repo.FullName, StringComparison.OrdinalIgnoreCase)
            && (state is "all" || (state is "closed" ? !p.Open : p.Open))
            && (head.Length == 0 || head.Equals($"{p.HeadOwner}:{p.HeadBranch}", StringComparison.OrdinalIgnoreCase))
            && (baseBranch.Length == 0 || baseBranch == p.BaseBranch));
    }

    private FakePullRequest Pull(Repo repo, string number) =>
        _pulls.FirstOrDefault(p => p.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) == number && p.BaseRepository.Equals(repo.FullName, StringComparison.OrdinalIgnoreCase))
        ?? throw new ApiError(404, "Not Found");

    private (int, object?) CreatePull(Repo repo, Token user, JsonNode body)
    {
        var head = body["head"]!.GetValue<string>();
        var baseBranch = body["base"]!.GetValue<string>();
        var (headOwner, headBranch) = head.Contains(':') ? (head.Split(':', 2)[0], head.Split(':', 2)[1]) : (repo.Owner, head);
        var headRepo = headOwner.Equals(repo.Owner, StringComparison.OrdinalIgnoreCase) ? repo : _repos.GetValueOrDefault($"{headOwner}/{repo.Name}");
        var errors = (string message) => new ApiError(422, "Validation Failed", [new JsonObject { ["resource"] = "PullRequest", ["code"] = "custom", ["message"] = message }]);
        if (headRepo is null || !headRepo.Refs.TryGetValue("refs/heads/" + headBranch, out var headSha)) throw errors($"head: {head} does not exist");
        if (!repo.Refs.TryGetValue("refs/heads/" + baseBranch, out var baseSha)) throw errors("base does not exist");
        if (_pulls.Any(p => p.Open && p.BaseRepository == repo.FullName && p.HeadOwner.Equals(headOwner, StringComparison.OrdinalIgnoreCase) && p.HeadBranch == headBranch && p.BaseBranch == baseBranch))
        {
            throw errors($"A pull request already exists for {headOwner}:{headBranch}.");
        }
        if (Ancestors(baseSha).Contains(headSha)) throw errors($"No commits between {baseBranch} and {headBranch}");
        var pr = new FakePullRequest(_pulls.Count + 1, repo.FullName, headRepo.Owner, headRepo.FullName, headBranch, baseBranch,
            body["title"]!.GetValue<string>(), body["body"]?.GetValue<string>() ?? "", Open: true, Merged: false, CreatedBy: user.Login, CreatedAt: DateTimeOffset.UtcNow);
        _pulls.Add(pr);
        return (201, PullJson(pr));
    }

    private (int, object?) UpdatePull(Repo repo, Token user, string number, JsonNode body)
    {
        var pr = Pull(repo, number);
        var i = _pulls.IndexOf(pr);
        _pulls[i] = pr = pr with
        {
            Title = body["title"]?.GetValue<string>() ?? pr.Title,
            Body = body["body"]?.GetValue<string>() ?? pr.Body,
            Open = body["state"]?.GetValue<string>() is { } state ? state == "open" : pr.Open,
        };
        return (200, PullJson(pr));
    }

    private JsonArray PullCommits(Repo repo, string number)
    {
        var pr = Pull(repo, number);
        var commits = CommitsAhead(pr.HeadBranch, pr.HeadRepository).Reverse();
        return new JsonArray(commits.Select(c => (JsonNode?)new JsonObject { ["sha"] = c.Sha, ["commit"] = CommitJson(repo, c) }).ToArray());
    }

    private JsonObject PullJson(FakePullRequest pr)
    {
        var baseRepo = _repos[pr.BaseRepository];
        var headRepo = _repos[pr.HeadRepository];
        var headSha = headRepo.Refs.GetValueOrDefault("refs/heads/" + pr.HeadBranch) ?? "";
        var created = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        return new JsonObject
        {
            ["id"] = pr.Number,
            ["node_id"] = "PR_" + pr.Number,
            ["number"] = pr.Number,
            ["state"] = pr.Open ? "open" : "closed",
            ["title"] = pr.Title,
            ["body"] = pr.Body,
            ["merged"] = pr.Merged,
            ["merged_at"] = pr.Merged ? created : null,
            ["closed_at"] = pr.Open ? null : created,
            ["draft"] = false,
            ["url"] = $"{ApiUrl}api/v3/repos/{pr.BaseRepository}/pulls/{pr.Number}",
            ["html_url"] = $"{ApiUrl}{pr.BaseRepository}/pull/{pr.Number}",
            ["created_at"] = created,
            ["updated_at"] = created,
            ["user"] = new JsonObject { ["login"] = pr.CreatedBy },
            ["head"] = new JsonObject
            {
                ["label"] = $"{pr.HeadOwner}:{pr.HeadBranch}",
                ["ref"] = pr.HeadBranch,
                ["sha"] = headSha,
                ["user"] = new JsonObject { ["login"] = pr.HeadOwner },
                ["repo"] = RepoJson(headRepo, null),
            },
            ["base"] = new JsonObject
            {
                ["label"] = $"{baseRepo.Owner}:{pr.BaseBranch}",
                ["ref"] = pr.BaseBranch,
                ["sha"] = baseRepo.Refs.GetValueOrDefault("refs/heads/" + pr.BaseBranch) ?? "",
                ["user"] = new JsonObject { ["login"] = baseRepo.Owner },
                ["repo"] = RepoJson(baseRepo, null),
            },
        };
    }
}
