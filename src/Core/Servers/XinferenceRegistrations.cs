using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Downloads;
using ModelsHub.Core.Specs;

namespace ModelsHub.Core.Servers;

/// <summary>
/// A hub model as a custom-model registration (<c>POST /v1/model_registrations/{type}</c>). The
/// registration API parses one model family, with its specs already expanded the way Xinference's
/// own loaders expand the files (<c>xinference/model/utils.py</c>: <c>flatten_quantizations</c> for
/// llm, embedding and rerank specs, one record per hub × quantization with <c>{quantization}</c>
/// filled in; <c>flatten_model_src</c> for image, audio and video, one family per hub). A name
/// registers once, so for image, audio and video the first hub's family of the first entry is sent
/// (audio variants: the first).
/// </summary>
public static class XinferenceRegistrations
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>What the hub would register for the model: null when it has no entry Xinference could load.</summary>
    public static ModelRegistration? For(HubModel model)
    {
        if (!model.Type.IsXinference())
        {
            return null;
        }
        var (entries, skipped) = DownloadCatalog.Servable(model);
        if (entries.Length == 0)
        {
            return null;
        }
        var body = Build(model.Type, entries[0]);
        return new ModelRegistration(model.Name, model.Type, body, Fingerprint(body), skipped);
    }

    /// <summary>The family Xinference's registration API parses, as compact JSON text.</summary>
    public static string Build(ModelType type, JsonElement entry)
    {
        var family = JsonNode.Parse(entry.GetRawText())!.AsObject();
        family.Remove(XinferenceSpec.Featured);
        family.Remove(XinferenceSpec.IsBuiltin);
        if (type is ModelType.Llm or ModelType.Embedding or ModelType.Rerank)
        {
            var flattened = new JsonArray();
            foreach (var spec in family["model_specs"]?.AsArray() ?? [])
            {
                foreach (var record in FlattenQuantizations(spec!.AsObject()))
                {
                    flattened.Add(record);
                }
            }
            family["model_specs"] = flattened;
            return family.ToJsonString(Compact);
        }
        var families = FlattenModelSrc(family);
        return (families.FirstOrDefault() ?? family).ToJsonString(Compact);
    }

    public static string Fingerprint(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)), 0, 16);

    /// <summary>The key a server's <see cref="InferenceServer.Registered"/> keeps a model under.</summary>
    public static string Key(ModelType type, string modelName) => $"{Contracts.EnumNames<ModelType>.NameOf(type)}/{modelName}";

    private static IEnumerable<JsonObject> FlattenQuantizations(JsonObject spec)
    {
        if (spec["model_src"] is not JsonObject sources)
        {
            yield return (JsonObject)spec.DeepClone();
            yield break;
        }
        foreach (var (hub, info) in sources)
        {
            if (info is not JsonObject hubInfo || hubInfo["quantizations"] is not JsonArray quantizations)
            {
                continue;
            }
            foreach (var quantization in quantizations)
            {
                var q = quantization?.GetValue<string>() ?? "";
                var record = new JsonObject();
                foreach (var (key, value) in spec)
                {
                    if (key != "model_src") record[key] = value?.DeepClone();
                }
                record["model_hub"] = hub;
                record["quantization"] = q;
                foreach (var (key, value) in hubInfo)
                {
                    if (key == "quantizations") continue;
                    record[key] = value is JsonValue text && text.TryGetValue<string>(out var s) && s.Contains("{quantization}", StringComparison.Ordinal)
                        ? s.Replace("{quantization}", q, StringComparison.Ordinal)
                        : value?.DeepClone();
                }
                yield return record;
            }
        }
    }

    private static List<JsonObject> FlattenModelSrc(JsonObject entry)
    {
        var result = new List<JsonObject>();
        var baseInfo = new JsonObject();
        foreach (var (key, value) in entry)
        {
            if (key is not "model_src" and not "model_specs") baseInfo[key] = value?.DeepClone();
        }
        var owners = entry["model_specs"] is JsonArray specs
            ? specs.OfType<JsonObject>().Select(spec =>
            {
                var merged = (JsonObject)baseInfo.DeepClone();
                foreach (var (key, value) in spec)
                {
                    if (key != "model_src") merged[key] = value?.DeepClone();
                }
                return (Base: merged, Sources: spec["model_src"] as JsonObject);
            }).ToList()
            : [(Base: baseInfo, Sources: entry["model_src"] as JsonObject)];
        foreach (var (owner, sources) in owners)
        {
            foreach (var (hub, info) in sources ?? [])
            {
                if (info is not JsonObject hubInfo) continue;
                var record = (JsonObject)owner.DeepClone();
                foreach (var (key, value) in hubInfo)
                {
                    if (key != "model_hub") record[key] = value?.DeepClone();
                }
                record["model_hub"] = hub;
                result.Add(record);
            }
        }
        return result;
    }
}

/// <summary>A model as the hub registers it on a server: the family it sends and that text's fingerprint.</summary>
public sealed record ModelRegistration(string ModelName, ModelType Type, string Body, string Fingerprint, IReadOnlyList<string> Skipped);
