using System.Text.Json;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Datasets;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Datasets;

/// <summary>Reads a dataset's body into a <see cref="DatasetInput"/>, naming every bad field.</summary>
public static class DatasetInputReader
{
    private static readonly string[] Fields = ["name", "description", "format", "visibility", "tags"];

    public static DatasetInput Read(JsonElement body)
    {
        var errors = new ValidationErrors();
        var f = new JsonFields(body, Fields, errors);
        var input = new DatasetInput
        {
            Name = f.String("name", Core.Catalog.ModelRules.MaxNameLength * 2),
            Description = f.String("description", DatasetRules.MaxDescriptionLength, nullable: true),
            Format = f.Enum<DatasetFormat>("format"),
            Visibility = f.Enum<DatasetVisibility>("visibility"),
            Tags = f.StringList("tags", DatasetRules.MaxTags, DatasetRules.MaxTagLength, nullable: true),
        };
        errors.ThrowIfAny();
        return input;
    }
}
