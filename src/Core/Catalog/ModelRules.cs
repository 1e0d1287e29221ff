using System.Text.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Common;
using ModelsHub.Core.Specs;

namespace ModelsHub.Core.Catalog;

/// <summary>What makes a model valid, whoever writes it (API, import, sync, review).</summary>
public static class ModelRules
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 4_000;
    public const int MaxReadmeLength = 256 * 1024;
    public const int MaxTags = 32;
    public const int MaxTagLength = 50;

    /// <summary>The one character a tag may not hold.</summary>
    public const char TagSeparator = '|';

    /// <summary>Names that would collide with routes under <c>/api/models/</c>.</summary>
    public static IReadOnlySet<string> ReservedNames { get; } =
        new HashSet<string>(["download", "stats", "readme-template"], StringComparer.OrdinalIgnoreCase);

    public static void ValidateName(string? name, ValidationErrors errors, string field = "name")
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(field, "Is required.");
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(field, $"Must be at most {MaxNameLength} characters.");
        }
        else if (!XinferenceSpec.NamePattern().IsMatch(name))
        {
            errors.Add(field, "May contain only letters, digits, '.', '_' and '-' (^[A-Za-z0-9._-]+$).");
        }
        else if (name.Trim('.').Length == 0)
        {
            // "." and ".." match the pattern but name the folder itself or its parent in blob keys and URLs.
            errors.Add(field, "Must hold at least one letter, digit, '_' or '-': a name of dots only is a path, not a name.");
        }
        else if (ReservedNames.Contains(name))
        {
            errors.Add(field, $"'{name}' is reserved; choose another name.");
        }
    }

    /// <summary>Validates a whole model as it would be stored.</summary>
    public static void Validate(HubModel model, ValidationErrors errors)
    {
        if (model.Description.Length > MaxDescriptionLength)
        {
            errors.Add("description", $"Must be at most {MaxDescriptionLength} characters.");
        }
        else if (TextRules.HasControlCharacters(model.Description))
        {
            errors.Add("description", TextRules.ControlCharactersMessage);
        }
        if (model.Readme.Length > MaxReadmeLength)
        {
            errors.Add("readme", $"Must be at most {MaxReadmeLength} characters.");
        }
        else if (TextRules.HasControlCharacters(model.Readme))
        {
            errors.Add("readme", TextRules.ControlCharactersMessage);
        }
        ValidateTags(model.Tags, errors);
        if (model.Tier == ModelTier.Enterprise && model.Visibility != ModelVisibility.Public)
        {
            errors.Add("tier", "An enterprise model must be public: set visibility to public first.");
        }
        if (model.Spec is { } spec)
        {
            XinferenceSpecValidator.Validate(model.Type, model.Name, spec, errors);
        }
        else if (model.Visibility == ModelVisibility.Public && model.Type.IsXinference() && !ApiModels.ProviderKinds.IsApiSource(model.Source))
        {
            // An API model is served by its provider, not by Xinference: it has no spec to give (and none is downloaded).
            errors.Add("spec", $"A public {EnumNames<ModelType>.NameOf(model.Type)} model needs its Xinference spec (a private model may stay a draft).");
        }
    }

    /// <summary>At most <see cref="MaxTags"/> printable tags, none holding <see cref="TagSeparator"/> (models and datasets alike).</summary>
    public static void ValidateTags(IReadOnlyList<string> tags, ValidationErrors errors)
    {
        if (tags.Count > MaxTags)
        {
            errors.Add("tags", $"At most {MaxTags} tags.");
        }
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            if (tag.Length is 0 or > MaxTagLength || tag.Any(char.IsControl))
            {
                errors.Add($"tags[{i}]", $"Must be 1 to {MaxTagLength} printable characters.");
            }
            else if (tag.Contains(TagSeparator))
            {
                // Stores keep tags as one '|'-delimited column; a '|' inside a tag would match across two tags.
                errors.Add($"tags[{i}]", $"May not contain '{TagSeparator}'.");
            }
        }
    }

    /// <summary>Tags trimmed, blank ones dropped, duplicates (ignoring case) removed, order kept.</summary>
    public static List<string> NormalizeTags(IEnumerable<string> tags)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<string>();
        foreach (var tag in tags.Select(t => t.Trim()))
        {
            if (seen.Add(tag))
            {
                result.Add(tag);
            }
        }
        return result;
    }

    public static JsonElement? NormalizeSpec(JsonElement? spec) =>
        spec is { ValueKind: JsonValueKind.Object or JsonValueKind.Array } s ? XinferenceSpec.Normalize(s)
        : spec is { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? null
        : spec;
}
