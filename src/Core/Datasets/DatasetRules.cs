using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Datasets;

/// <summary>What makes a dataset valid. Names follow the model names' rules (they are folders of the blob layout too).</summary>
public static class DatasetRules
{
    public const int MaxDescriptionLength = ModelRules.MaxDescriptionLength;
    public const int MaxTags = ModelRules.MaxTags;
    public const int MaxTagLength = ModelRules.MaxTagLength;

    public static void ValidateName(string? name, ValidationErrors errors) => ModelRules.ValidateName(name, errors);

    public static void Validate(Dataset dataset, ValidationErrors errors)
    {
        if (dataset.Description.Length > MaxDescriptionLength)
        {
            errors.Add("description", $"Must be at most {MaxDescriptionLength} characters.");
        }
        ModelRules.ValidateTags(dataset.Tags, errors);
    }
}
