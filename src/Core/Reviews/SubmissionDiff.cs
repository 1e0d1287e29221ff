using System.Text.Json;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Specs;

namespace ModelsHub.Core.Reviews;

/// <summary>The field-by-field difference between the live model and a proposal.</summary>
public static class SubmissionDiff
{
    public static List<FieldChange> Compute(HubModel? before, HubModel? after)
    {
        var changes = new List<FieldChange>();
        void Field<T>(string name, Func<HubModel, T> read)
        {
            var a = before is null ? default : read(before);
            var b = after is null ? default : read(after);
            var ja = before is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(a, HubJson.Options);
            var jb = after is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(b, HubJson.Options);
            if (!XinferenceSpec.SameJson(ja, jb))
            {
                changes.Add(new FieldChange(name, ja, jb));
            }
        }
        Field("type", m => m.Type);
        Field("description", m => m.Description);
        Field("readme", m => m.Readme);
        Field("tags", m => m.Tags);
        Field("framework", m => m.Framework);
        Field("source", m => m.Source);
        Field("visibility", m => m.Visibility);
        Field("tier", m => m.Tier);
        Field("status", m => m.Status);
        Field("expiresAt", m => m.ExpiresAt);
        Field("featured", m => m.Featured);

        var oldEntries = XinferenceSpec.Entries(before?.Spec).ToList();
        var newEntries = XinferenceSpec.Entries(after?.Spec).ToList();
        for (var i = 0; i < Math.Max(oldEntries.Count, newEntries.Count); i++)
        {
            JsonElement? a = i < oldEntries.Count ? oldEntries[i] : null;
            JsonElement? b = i < newEntries.Count ? newEntries[i] : null;
            if (!XinferenceSpec.SameJson(a, b))
            {
                changes.Add(new FieldChange($"spec[{i}]", a, b));
            }
        }
        return changes;
    }
}
