using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Specs;

namespace ModelsHub.Core.Downloads;

/// <summary>Who the list is for: anonymous callers get standard-tier models, authorized ones every tier.</summary>
public enum DownloadAudience { Standard, AllTiers }

/// <summary>
/// One type's model list as Xinference's "update models" downloads it: a bare JSON array of
/// upstream-format entries, with a strong ETag over its bytes (equal bytes, equal ETag, on every
/// instance).
/// </summary>
public sealed record DownloadDocument(
    ModelType Type,
    DownloadAudience Audience,
    ReadOnlyMemory<byte> Json,
    string ETag,
    int Models,
    int Entries,
    IReadOnlyList<string> Skipped,
    DateTimeOffset BuiltAt,
    DateTimeOffset? ValidUntil);

/// <summary>Settings of the download lists (section <c>Download</c>).</summary>
public sealed class DownloadOptions
{
    public const string Section = "Download";

    /// <summary>
    /// How long a built list is trusted before the catalog is listed again to see whether another
    /// instance changed a model (this instance's own changes invalidate it at once).
    /// </summary>
    public int RevalidateSeconds { get; set; } = 5;
}

/// <summary>
/// Keeps the precomputed download list per type and audience. A model change on this instance
/// marks its types stale at once; otherwise a list is re-checked after a few seconds (another
/// instance may have changed a model) and when the earliest expiry among its models passes.
/// Rebuilding re-reads only models whose ETag changed.
/// </summary>
public sealed partial class DownloadCatalog(IModelStore store, TimeProvider clock, IOptions<DownloadOptions> options, ILogger<DownloadCatalog> logger)
    : IModelChangeListener
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record CachedModel(string ETag, JsonElement[] Entries, ModelTier Tier, DateTimeOffset? ExpiresAt, bool RemovedUpstream, IReadOnlyList<string> Skipped);

    private sealed class Slot
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public volatile DownloadDocument? Document;
        public long CheckedAtTicks;
        public string? Fingerprint;
        public volatile bool Stale = true;
    }

    private readonly ConcurrentDictionary<(ModelType, DownloadAudience), Slot> _slots = new();
    private readonly ConcurrentDictionary<string, CachedModel> _models = new(StringComparer.Ordinal);

    public static IReadOnlyList<ModelType> Types => ModelTypes.Xinference;

    public async ValueTask<DownloadDocument> GetAsync(ModelType type, DownloadAudience audience, CancellationToken cancellationToken)
    {
        if (!type.IsXinference())
        {
            throw new ValidationException("model_type", "Xinference downloads exist for: " + string.Join(", ", Types.Select(EnumNames<ModelType>.NameOf)) + ".");
        }
        var slot = _slots.GetOrAdd((type, audience), _ => new Slot());
        var now = clock.GetUtcNow();
        if (slot.Document is { } current && !MustRebuild(slot, current, now))
        {
            if (!NeedsRevalidation(slot, now))
            {
                return current;
            }
            // Only the few-seconds check for other instances' changes is due: one request lists the
            // catalog while the others keep getting the current list (stale-while-revalidate).
            if (!slot.Gate.Wait(0))
            {
                return current;
            }
        }
        else
        {
            // A change on this instance, an expiry or no list yet: nobody may be served the old list.
            await slot.Gate.WaitAsync(cancellationToken);
        }
        try
        {
            now = clock.GetUtcNow();
            if (slot.Document is { } built && !MustRebuild(slot, built, now) && !NeedsRevalidation(slot, now))
            {
                return built;
            }
            return await RefreshAsync(slot, type, audience, now, cancellationToken);
        }
        catch
        {
            // The refresh cleared the stale mark before listing; a failed or cancelled one must not
            // leave the list from before a change looking current.
            slot.Stale = true;
            throw;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    public Task OnModelChangedAsync(ModelChange change, CancellationToken cancellationToken)
    {
        foreach (var type in change.Types.Where(t => t.IsXinference()))
        {
            foreach (var audience in Enum.GetValues<DownloadAudience>())
            {
                if (_slots.TryGetValue((type, audience), out var slot))
                {
                    slot.Stale = true;
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>The list is known to be out of date: a model changed on this instance, or one of its models expired.</summary>
    private static bool MustRebuild(Slot slot, DownloadDocument document, DateTimeOffset now) =>
        slot.Stale || (document.ValidUntil is { } until && until <= now);

    /// <summary>Time to look whether another instance changed a model.</summary>
    private bool NeedsRevalidation(Slot slot, DateTimeOffset now) =>
        now.UtcTicks - Volatile.Read(ref slot.CheckedAtTicks) >= TimeSpan.FromSeconds(options.Value.RevalidateSeconds).Ticks;

    private async Task<DownloadDocument> RefreshAsync(Slot slot, ModelType type, DownloadAudience audience, DateTimeOffset now, CancellationToken cancellationToken)
    {
        slot.Stale = false;
        var summaries = await ListPublishedAsync(type, cancellationToken);
        var fingerprint = string.Join('\n', summaries.Select(s => $"{s.Name}\u001f{s.ETag}"));
        if (slot.Document is { } previous && fingerprint == slot.Fingerprint && (previous.ValidUntil is null || previous.ValidUntil > now))
        {
            Volatile.Write(ref slot.CheckedAtTicks, now.UtcTicks);
            return previous;
        }

        var entries = new List<JsonElement>();
        var skipped = new List<string>();
        var models = 0;
        DateTimeOffset? validUntil = null;
        foreach (var summary in summaries.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var model = await ReadAsync(summary, cancellationToken);
            // A model the repository dropped leaves the lists with it: the hub serves what the
            // repository lists plus its own models, and keeps the dropped one only for browsing.
            if (model is null || model.RemovedUpstream || (audience == DownloadAudience.Standard && model.Tier != ModelTier.Standard))
            {
                continue;
            }
            if (model.ExpiresAt is { } expires)
            {
                if (expires <= now) continue;
                validUntil = validUntil is null || expires < validUntil ? expires : validUntil;
            }
            skipped.AddRange(model.Skipped);
            if (model.Entries.Length == 0) continue;
            entries.AddRange(model.Entries);
            models++;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(entries, Compact);
        var etag = Convert.ToHexStringLower(SHA256.HashData(json), 0, 16);
        var document = new DownloadDocument(type, audience, json, etag, models, entries.Count, skipped, now, validUntil);
        if (slot.Document?.ETag != etag)
        {
            var typeName = EnumNames<ModelType>.NameOf(type);
            LogBuilt(logger, typeName, audience, models, entries.Count, json.Length, skipped.Count);
            foreach (var reason in skipped)
            {
                LogSkipped(logger, typeName, audience, reason);
            }
        }
        slot.Document = document;
        slot.Fingerprint = fingerprint;
        Volatile.Write(ref slot.CheckedAtTicks, now.UtcTicks);
        return document;
    }

    /// <summary>Every public, active model of the type (every tier; the audience filters later).</summary>
    private async Task<List<ModelSummary>> ListPublishedAsync(ModelType type, CancellationToken cancellationToken)
    {
        var everything = new ModelVisibilityScope(true, null, new HashSet<ModelTier>(), new HashSet<ModelTier>(), clock.GetUtcNow());
        var query = new ModelQuery { Type = type, Visibility = ModelVisibility.Public, Status = ModelStatus.Active, PageSize = Paging.MaxPageSize };
        var result = new List<ModelSummary>();
        string? token = null;
        do
        {
            var page = await store.QueryAsync(query with { ContinuationToken = token }, everything, cancellationToken);
            result.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return result;
    }

    /// <summary>The model's servable entries, re-read only when its ETag changed.</summary>
    private async Task<CachedModel?> ReadAsync(ModelSummary summary, CancellationToken cancellationToken)
    {
        var id = HubModel.IdFor(summary.Name);
        if (_models.TryGetValue(id, out var cached) && cached.ETag == summary.ETag)
        {
            return cached;
        }
        var model = await store.FindAsync(summary.Name, cancellationToken);
        if (model is null || model.ETag is null)
        {
            _models.TryRemove(id, out _);
            return null;
        }
        var (entries, skipped) = Servable(model);
        cached = new CachedModel(model.ETag, entries, model.Tier, model.ExpiresAt, model.RemovedUpstreamAt is not null, skipped);
        _models[id] = cached;
        return cached;
    }

    /// <summary>
    /// The entries as served: hub-internal keys removed, an integer updated_at guaranteed, and each
    /// checked against the contract and Xinference's loader so one bad entry cannot break a server.
    /// </summary>
    public static (JsonElement[] Entries, IReadOnlyList<string> Skipped) Servable(HubModel model)
    {
        var served = new List<JsonElement>();
        var skipped = new List<string>();
        var fallbackStamp = model.UpdatedAt.ToUnixTimeSeconds();
        var index = 0;
        foreach (var entry in XinferenceSpec.Entries(model.Spec))
        {
            var label = $"{model.Name}[{index++}]";
            if (JsonNode.Parse(entry.GetRawText()) is not JsonObject obj)
            {
                skipped.Add($"{label}: not an object");
                continue;
            }
            obj.Remove(XinferenceSpec.IsBuiltin);
            if (obj[XinferenceSpec.UpdatedAt] is not JsonValue stamp || !stamp.TryGetValue<long>(out _))
            {
                obj[XinferenceSpec.UpdatedAt] = fallbackStamp;
            }
            var element = JsonSerializer.SerializeToElement(obj);
            var errors = new ValidationErrors();
            XinferenceSpecValidator.Validate(model.Type, model.Name, JsonSerializer.SerializeToElement(new[] { element }), errors);
            if (!errors.IsEmpty)
            {
                skipped.Add($"{label}: {string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key} {string.Join(" ", e.Value)}"))}");
                continue;
            }
            if (XinferenceLoader.FlattenedCount(model.Type, element) == 0)
            {
                skipped.Add($"{label}: expands to no launchable spec in Xinference");
                continue;
            }
            served.Add(element);
        }
        return (served.ToArray(), skipped);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download list {Type}/{Audience} leaves out an entry Xinference could not load: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string type, DownloadAudience audience, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Download list {Type}/{Audience} built: {Models} models, {Entries} entries, {Bytes} bytes, {Skipped} entries skipped")]
    private static partial void LogBuilt(ILogger logger, string type, DownloadAudience audience, int models, int entries, int bytes, int skipped);
}
