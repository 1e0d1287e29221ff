using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// How one kind of document is laid out in its container: what a query selects to read whole
/// documents (<see cref="Projection"/>), and how a document is written and read back (with its ETag).
/// </summary>
internal sealed class CosmosDocumentShape<T>(string projection, Func<T, MemoryStream> write, Func<JsonElement, T> read)
    where T : class, IStoredDocument<T>
{
    /// <summary>What <c>SELECT</c> takes to read a whole document: <c>*</c>, or <c>c.text, c._etag</c>.</summary>
    public string Projection => projection;

    public MemoryStream Write(T document) => write(document);

    /// <summary>A document (or a query row of <see cref="Projection"/>) with the ETag in its <c>_etag</c>.</summary>
    public T Read(JsonElement row) => read(row);

    /// <summary>
    /// The document is the entity's JSON, plus the fields its queries filter and sort on
    /// (<paramref name="queryFields"/>); fit for documents without numbers whose digits must survive.
    /// </summary>
    public static CosmosDocumentShape<T> Inline(Action<T, JsonObject>? queryFields = null) => new("*",
        document =>
        {
            if (queryFields is null)
            {
                var stream = new MemoryStream();
                JsonSerializer.Serialize(stream, document, HubJson.Options);
                stream.Position = 0;
                return stream;
            }
            var node = JsonSerializer.SerializeToNode(document, HubJson.Options)!.AsObject();
            queryFields(document, node);
            return CosmosDocumentShape.ToStream(node);
        },
        row =>
        {
            var document = row.Deserialize<T>(HubJson.Options)!;
            document.ETag = CosmosDocumentShape.ETagOf(row);
            return document;
        });

    /// <summary>
    /// The entity's JSON kept as text (<c>text</c>) beside the fields its queries use: Cosmos re-writes
    /// numbers (1.50 comes back as 1.5, integers past 2^53 lose digits), text keeps them exact.
    /// <paramref name="queryFields"/> gives the id, the partition key and every queried field.
    /// </summary>
    public static CosmosDocumentShape<T> Text(Func<T, JsonObject> queryFields) => new("c.text, c._etag",
        document =>
        {
            var node = queryFields(document);
            node["text"] = DocumentKind<T>.Serialize(document);
            return CosmosDocumentShape.ToStream(node);
        },
        row => DocumentKind<T>.Deserialize(row.GetProperty("text").GetString()!, CosmosDocumentShape.ETagOf(row)));
}

/// <summary>What every shape of document uses: the writer, the ETag of a row, sort keys.</summary>
internal static class CosmosDocumentShape
{
    public static MemoryStream ToStream(JsonObject document)
    {
        var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            document.WriteTo(writer, HubJson.Options);
        }
        stream.Position = 0;
        return stream;
    }

    public static string? ETagOf(JsonElement row) =>
        CosmosOutcomes.FromCosmosETag(row.TryGetProperty("_etag", out var etag) ? etag.GetString() : null);

    /// <summary>A time as a sort key in microseconds (exact as a double until 2255): writes a millisecond apart still sort by time.</summary>
    public static long Microseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
