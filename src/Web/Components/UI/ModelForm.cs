using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Contracts;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Components.UI;

/// <summary>
/// The fields of the registration and settings forms, as the person edits them (tags as one line, the spec as
/// JSON text, the expiry as a date), and the JSON the hub reads: everything for a registration, only what changed
/// for a settings change (a PATCH names only the fields it changes).
/// </summary>
public sealed class ModelForm
{
    public static readonly string[] Fields = ["name", "type", "description", "readme", "tags", "framework", "source", "visibility", "tier", "status", "expiresAt", "featured", "spec"];

    public string Name { get; set; } = "";
    public ModelType Type { get; set; } = ModelType.Llm;
    public string Description { get; set; } = "";
    public string Readme { get; set; } = "";
    public string Tags { get; set; } = "";
    public ModelFramework Framework { get; set; } = ModelFramework.Pytorch;
    public ModelSource Source { get; set; } = ModelSource.Upload;
    public bool Public { get; set; }
    public ModelTier Tier { get; set; } = ModelTier.Standard;
    public ModelStatus Status { get; set; } = ModelStatus.Active;
    public DateTime? ExpiresOn { get; set; }
    public bool Featured { get; set; }
    public string Spec { get; set; } = "";

    public static ModelForm From(ModelDto model) => new()
    {
        Name = model.Name,
        Type = model.Type,
        Description = model.Description,
        Readme = model.Readme,
        Tags = string.Join(", ", model.Tags),
        Framework = model.Framework,
        Source = model.Source,
        Public = model.Visibility == ModelVisibility.Public,
        Tier = model.Tier,
        Status = model.Status,
        ExpiresOn = model.ExpiresAt?.UtcDateTime.Date,
        Featured = model.Featured,
        Spec = model.Spec is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } spec ? Pretty(spec) : "",
    };

    public IReadOnlyList<string> TagList => Tags.Split([',', '，', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The whole model for <c>POST /api/models</c>.</summary>
    public JsonObject ToRegistration()
    {
        var body = new JsonObject
        {
            ["name"] = Name.Trim(),
            ["type"] = HubJson.NameOf(Type),
            ["description"] = Description,
            ["readme"] = Readme,
            ["tags"] = new JsonArray(TagList.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["framework"] = HubJson.NameOf(Framework),
            ["source"] = HubJson.NameOf(Source),
            ["visibility"] = Public ? "public" : "private",
            ["tier"] = HubJson.NameOf(Tier),
        };
        if (ExpiresOn is { } expires)
        {
            body["expiresAt"] = Expiry(expires);
        }
        if (SpecTemplates.HasSpec(Type) && !string.IsNullOrWhiteSpace(Spec))
        {
            body["spec"] = JsonNode.Parse(Spec);
        }
        return body;
    }

    /// <summary>Only the fields that differ from <paramref name="model"/>, for <c>PATCH /api/models/{name}</c>.</summary>
    public JsonObject ChangesFrom(ModelDto model)
    {
        var original = From(model);
        var changes = new JsonObject();
        if (Description != original.Description) changes["description"] = Description;
        if (Readme != original.Readme) changes["readme"] = Readme;
        if (!TagList.SequenceEqual(original.TagList)) changes["tags"] = new JsonArray(TagList.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
        if (Framework != original.Framework) changes["framework"] = HubJson.NameOf(Framework);
        if (Source != original.Source) changes["source"] = HubJson.NameOf(Source);
        if (Public != original.Public) changes["visibility"] = Public ? "public" : "private";
        if (Tier != original.Tier) changes["tier"] = HubJson.NameOf(Tier);
        if (Status != original.Status) changes["status"] = HubJson.NameOf(Status);
        if (Featured != original.Featured) changes["featured"] = Featured;
        if (ExpiresOn != original.ExpiresOn) changes["expiresAt"] = ExpiresOn is { } e ? Expiry(e) : null;
        if (!SameJson(Spec, original.Spec)) changes["spec"] = string.IsNullOrWhiteSpace(Spec) ? null : JsonNode.Parse(Spec);
        return changes;
    }

    /// <summary>What the form sends for "Get README": the draft's name, type, description and spec.</summary>
    public JsonObject ReadmeDraft()
    {
        var draft = new JsonObject { ["name"] = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(), ["type"] = HubJson.NameOf(Type), ["description"] = Description };
        if (SpecTemplates.HasSpec(Type) && !string.IsNullOrWhiteSpace(Spec) && JsonLocator.SyntaxError(Spec) is null)
        {
            draft["spec"] = JsonNode.Parse(Spec);
        }
        return draft;
    }

    /// <summary>The spec text with <c>model_name</c> set to <paramref name="newName"/> in every entry that had <paramref name="oldName"/> or the template's placeholder.</summary>
    public static string Rename(string spec, string oldName, string newName)
    {
        if (string.IsNullOrWhiteSpace(spec) || string.IsNullOrWhiteSpace(newName) || JsonLocator.SyntaxError(spec) is not null)
        {
            return spec;
        }
        var root = JsonNode.Parse(spec);
        var entries = root is JsonArray array ? array.OfType<JsonObject>() : root is JsonObject single ? [single] : [];
        var changed = false;
        foreach (var entry in entries)
        {
            if (entry["model_name"] is JsonValue value && value.TryGetValue<string>(out var current)
                && (current == oldName.Trim() || current == SpecTemplates.Placeholder))
            {
                entry["model_name"] = newName.Trim();
                changed = true;
            }
        }
        return changed ? root!.ToJsonString(SpecTemplates.Indented) : spec;
    }

    private static string Expiry(DateTime day) => new DateTimeOffset(day.Date, TimeSpan.Zero).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static bool SameJson(string a, string b)
    {
        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b))
        {
            return string.IsNullOrWhiteSpace(a) == string.IsNullOrWhiteSpace(b);
        }
        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static string Pretty(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
