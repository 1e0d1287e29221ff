using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Documents;

/// <summary>
/// What every adapter's store says about one kind of document: its noun in Core's outcomes
/// (<c>Model 'x' was not found</c>), the name a document goes by in them, and the conflict a second
/// document with the same key (or unique field) is. One per kind in <see cref="StoredDocuments"/>,
/// shared by the SQLite table and the Cosmos container, so both adapters fail alike.
/// </summary>
public sealed class DocumentKind<T>(string noun, Func<T, string> nameOf, Func<T, ConflictException> conflict)
    where T : class, IStoredDocument<T>
{
    public string Noun => noun;

    public string NameOf(T document) => nameOf(document);

    public ConflictException Conflict(T document) => conflict(document);

    public NotFoundException NotFound(string name) => new(noun, name);

    public PreconditionFailedException Changed(string name) => new(noun, name);

    /// <summary>A copy of <paramref name="document"/> carrying <paramref name="etag"/>: what a write hands back.</summary>
    public static T WithETag(T document, string? etag)
    {
        var stored = document.Clone();
        stored.ETag = etag;
        return stored;
    }

    /// <summary>The document in the hub's JSON (<see cref="HubJson"/>), as both adapters store it.</summary>
    public static string Serialize(T document) => JsonSerializer.Serialize(document, HubJson.Options);

    public static T Deserialize(string json, string? etag)
    {
        var document = JsonSerializer.Deserialize<T>(json, HubJson.Options)!;
        document.ETag = etag;
        return document;
    }
}

/// <summary>Fingerprints of a listing's query, which its continuation tokens carry so a token only continues the listing that issued it.</summary>
public static class QueryFingerprints
{
    /// <summary>A short hash of <paramref name="query"/> in the hub's JSON (pass it without its token and page size).</summary>
    public static string Of<TQuery>(TQuery query, string extra = "") =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(query, HubJson.Options) + extra)), 0, 8);
}
