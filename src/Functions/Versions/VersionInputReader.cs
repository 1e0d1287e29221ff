using System.Text.Json;
using ModelsHub.Core.Common;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Versions;

/// <summary>Reads version and upload bodies, naming every bad field.</summary>
public static class VersionInputReader
{
    private static readonly string[] CreateFields = ["label", "notes", "metrics", "file"];
    private static readonly string[] UpdateFields = ["label", "notes", "metrics"];
    private static readonly string[] UploadFields = ["fileName", "size", "sha256", "contentType"];

    public static VersionInput Read(JsonElement body, bool create)
    {
        var errors = new ValidationErrors();
        var f = new JsonFields(body, create ? CreateFields : UpdateFields, errors);
        var input = new VersionInput
        {
            Label = f.String("label", VersionRules.MaxLabelLength * 2, nullable: create),
            Notes = f.String("notes", VersionRules.MaxNotesLength, nullable: true),
            Metrics = ReadMetrics(body, errors),
        };
        if (create && body.TryGetProperty("file", out var file))
        {
            if (file.ValueKind == JsonValueKind.Object)
            {
                input = input with { File = ReadUpload(file, errors, "file") };
            }
            else if (file.ValueKind != JsonValueKind.Null)
            {
                errors.Add("file", $"Must be an object {{fileName, size, sha256?, contentType?}}, not {JsonBody.Describe(file.ValueKind)}.");
            }
        }
        errors.ThrowIfAny();
        return input;
    }

    public static UploadRequest ReadUpload(JsonElement body)
    {
        var errors = new ValidationErrors();
        var request = ReadUpload(body, errors, "");
        errors.ThrowIfAny();
        return request;
    }

    private static UploadRequest ReadUpload(JsonElement body, ValidationErrors errors, string prefix)
    {
        var f = new JsonFields(body, UploadFields, errors, prefix);
        var path = (string field) => prefix.Length == 0 ? field : $"{prefix}.{field}";
        var fileName = f.String("fileName", UploadRules.MaxFileNameLength * 4);
        long size = 0;
        if (!body.TryGetProperty("size", out var sizeValue))
        {
            errors.Add(path("size"), "Is required: the file's size in bytes.");
        }
        else if (sizeValue.ValueKind != JsonValueKind.Number || !sizeValue.TryGetInt64(out size))
        {
            errors.Add(path("size"), $"Must be a whole number of bytes, not {(sizeValue.ValueKind == JsonValueKind.Number ? sizeValue.GetRawText() : JsonBody.Describe(sizeValue.ValueKind))}.");
        }
        var sha = f.String("sha256", 128, nullable: true);
        var type = f.String("contentType", 256, nullable: true);
        return new UploadRequest(fileName.HasValue ? fileName.Value : null, size, sha.GetValueOrDefault(null!), type.GetValueOrDefault(null!));
    }

    private static Optional<IReadOnlyDictionary<string, double?>> ReadMetrics(JsonElement body, ValidationErrors errors)
    {
        if (!body.TryGetProperty("metrics", out var value))
        {
            return default;
        }
        if (value.ValueKind == JsonValueKind.Null)
        {
            return new(true, null!);
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("metrics", $"Must be an object of names and numbers such as {{\"loss\": 0.32}}, not {JsonBody.Describe(value.ValueKind)}.");
            return default;
        }
        var metrics = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                metrics[property.Name] = null;
            }
            else if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var number) && double.IsFinite(number))
            {
                metrics[property.Name] = number;
            }
            else
            {
                errors.Add($"metrics.{property.Name}", $"Must be a number (or null to remove it), not {JsonBody.Describe(property.Value.ValueKind)}.");
            }
        }
        return metrics;
    }
}
