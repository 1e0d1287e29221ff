using System.Text.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Models;

/// <summary>Reads a registration or update body into a <see cref="ModelInput"/>, naming every bad field.</summary>
public static class ModelInputReader
{
    private static readonly string[] Fields =
        ["name", "type", "description", "readme", "tags", "framework", "source", "visibility", "tier", "status", "expiresAt", "featured", "spec"];

    public static ModelInput Read(JsonElement body)
    {
        var errors = new ValidationErrors();
        var f = new JsonFields(body, Fields, errors);
        var input = new ModelInput
        {
            Name = f.String("name", ModelRules.MaxNameLength * 2),
            Type = f.Enum<ModelType>("type"),
            Description = f.String("description", ModelRules.MaxDescriptionLength, nullable: true),
            Readme = f.String("readme", ModelRules.MaxReadmeLength, nullable: true),
            Tags = f.StringList("tags", ModelRules.MaxTags, ModelRules.MaxTagLength, nullable: true),
            Framework = f.Enum<ModelFramework>("framework"),
            Source = f.Enum<ModelSource>("source"),
            Visibility = f.Enum<ModelVisibility>("visibility"),
            Tier = f.Enum<ModelTier>("tier"),
            Status = f.Enum<ModelStatus>("status"),
            ExpiresAt = f.Timestamp("expiresAt"),
            Featured = f.Boolean("featured"),
            Spec = f.Raw("spec"),
        };
        errors.ThrowIfAny();
        return input;
    }
}
