using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// A model as a document of the <c>models</c> container: the model in the hub's JSON (as the
/// embedded profile stores it) plus the fields its queries filter and sort on. The spec is kept
/// as text because Cosmos parses numbers into doubles (1.50 comes back as 1.5, integers past
/// 2^53 lose digits), and the hub promises the spec's exact text to Xinference and upstream PRs.
/// </summary>
internal static class ModelDocuments
{
    /// <summary>"Listed until" for a model that never expires: the largest JavaScript date, exact as a double.</summary>
    public const long NeverMs = 8_640_000_000_000_000;

    public static MemoryStream Write(HubModel model)
    {
        var document = JsonSerializer.SerializeToNode(model, HubJson.Options)!.AsObject();
        document.Remove("spec");
        if (model.Spec is { } spec)
        {
            document["specText"] = spec.GetRawText();
        }
        document["summary"] = JsonSerializer.SerializeToNode(model.ToSummary(), HubJson.Options);
        document["searchText"] = model.SearchText();
        document["tagKeys"] = new JsonArray([.. model.Tags.Select(t => (JsonNode)t.ToLowerInvariant()).DistinctBy(t => t.GetValue<string>())]);
        // Sort keys in microseconds (exact as doubles until 2255): two registrations a millisecond
        // apart still sort by time, not by their id tiebreak.
        document["createdUs"] = CosmosDocumentShape.Microseconds(model.CreatedAt);
        document["updatedUs"] = CosmosDocumentShape.Microseconds(model.UpdatedAt);
        document["listedUntilMs"] = model.ExpiresAt?.ToUnixTimeMilliseconds() ?? NeverMs;
        return CosmosDocumentShape.ToStream(document);
    }

    /// <summary>The models container's documents: the model with its spec as text and the fields listings use.</summary>
    public static CosmosDocumentShape<HubModel> Shape { get; } = new("*", Write, Read);

    public static HubModel Read(JsonElement root)
    {
        var model = root.Deserialize<HubModel>(HubJson.Options)!;
        if (root.TryGetProperty("specText", out var text) && text.ValueKind == JsonValueKind.String)
        {
            using var spec = JsonDocument.Parse(text.GetString()!);
            model.Spec = spec.RootElement.Clone();
        }
        model.ETag = CosmosDocumentShape.ETagOf(root);
        return model;
    }

    /// <summary>A listing row: the stored summary and the document's ETag.</summary>
    internal sealed record SummaryRow(ModelSummary Summary, [property: JsonPropertyName("_etag")] string ETag)
    {
        public ModelSummary ToSummary() => Summary with { ETag = CosmosOutcomes.FromCosmosETag(ETag) };
    }
}
