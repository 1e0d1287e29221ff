using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ModelsHub.Web.Services.Api;

/// <summary>The API's JSON (camelCase, enums as lowercase names), with serializers generated at build time so trimming keeps them.</summary>
public static class HubJson
{
    /// <summary>Answers: every field, as the server writes them (<see cref="ContractJson.Options"/>' shape).</summary>
    public static JsonSerializerOptions Options => HubJsonContext.Default.Options;

    /// <summary>Request bodies: unset fields left out (<see cref="ContractJson.RequestOptions"/>' shape), since the hub reads null as "clear".</summary>
    public static JsonSerializerOptions RequestOptions { get; } = new(HubJsonContext.Default.Options)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>An enum value as the API writes it (<c>llm</c>, <c>enterprise</c>).</summary>
    public static string NameOf<T>(T value) where T : struct, Enum => EnumNames<T>.NameOf(value);
}

/// <summary>
/// Problems read by hand: <see cref="ProblemResponse"/> keeps unknown members in init-only extension data,
/// which generated serializers cannot bind.
/// </summary>
public static class ProblemReader
{
    public static ProblemResponse Read(JsonElement root) => new()
    {
        Type = Text(root, "type"),
        Title = Text(root, "title"),
        Status = root.TryGetProperty("status", out var status) && status.TryGetInt32(out var code) ? code : null,
        Detail = Text(root, "detail"),
        Instance = Text(root, "instance"),
        TraceId = Text(root, "traceId"),
        Errors = root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().ToDictionary(e => e.Name, e => e.Value.ValueKind == JsonValueKind.Array
                ? e.Value.EnumerateArray().Select(m => m.ToString()).ToArray() : [e.Value.ToString()])
            : null,
    };

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>Enums as the API writes them: lowercase names (<c>llm</c>, <c>huggingface</c>), never numbers.</summary>
public sealed class LowercaseEnumConverter() : JsonStringEnumConverter(ContractJson.EnumNamingPolicy, allowIntegerValues: false);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(LowercaseEnumConverter)])]
[JsonSerializable(typeof(ModelDto))]
[JsonSerializable(typeof(ModelListResponse))]
[JsonSerializable(typeof(ModelStatsResponse))]
[JsonSerializable(typeof(ReadmeResponse))]
[JsonSerializable(typeof(SubmissionDto))]
[JsonSerializable(typeof(SubmissionListResponse))]
[JsonSerializable(typeof(ReviewStatusResponse))]
[JsonSerializable(typeof(ModelHistoryResponse))]
[JsonSerializable(typeof(DecisionRequest))]
[JsonSerializable(typeof(MeDto))]
[JsonSerializable(typeof(UserDto))]
[JsonSerializable(typeof(UserListResponse))]
[JsonSerializable(typeof(ProfileRequest))]
[JsonSerializable(typeof(PermissionCatalog))]
[JsonSerializable(typeof(UserTokenRequest))]
[JsonSerializable(typeof(UserTokenDto))]
[JsonSerializable(typeof(DevTokenRequest))]
[JsonSerializable(typeof(DevTokenResponse))]
[JsonSerializable(typeof(SyncRunDto))]
[JsonSerializable(typeof(SyncRunListResponse))]
[JsonSerializable(typeof(SyncStartResponse))]
[JsonSerializable(typeof(WorkflowDto))]
[JsonSerializable(typeof(WorkflowListResponse))]
[JsonSerializable(typeof(VersionDto))]
[JsonSerializable(typeof(VersionListResponse))]
[JsonSerializable(typeof(VersionSuggestionResponse))]
[JsonSerializable(typeof(VersionRequest))]
[JsonSerializable(typeof(DefaultVersionRequest))]
[JsonSerializable(typeof(UploadDto))]
[JsonSerializable(typeof(UploadListResponse))]
[JsonSerializable(typeof(UploadCompletionResponse))]
[JsonSerializable(typeof(UploadRequestBody))]
[JsonSerializable(typeof(ClientConfigResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Datasets.DatasetDto))]
[JsonSerializable(typeof(ModelsHub.Contracts.Datasets.DatasetListResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Datasets.DatasetRequest))]
[JsonSerializable(typeof(ModelsHub.Contracts.AccessTokens.AccessTokenListResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.AccessTokens.CreatedAccessTokenDto))]
[JsonSerializable(typeof(ModelsHub.Contracts.AccessTokens.AccessTokenRequest))]
[JsonSerializable(typeof(ModelsHub.Contracts.ApiModels.AiModelDto))]
[JsonSerializable(typeof(ModelsHub.Contracts.ApiModels.AiModelRequest))]
[JsonSerializable(typeof(ModelsHub.Contracts.ApiModels.ProviderDto))]
[JsonSerializable(typeof(ModelsHub.Contracts.ApiModels.ProviderRequest))]
[JsonSerializable(typeof(ModelsHub.Contracts.ApiModels.TestRequest))]
[JsonSerializable(typeof(ModelsHub.Contracts.ApiModels.TestResultDto))]
[JsonSerializable(typeof(ModelsHub.Contracts.ApiModels.ToggleStatusResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Usage.UsageReport))]
[JsonSerializable(typeof(ModelsHub.Contracts.Servers.InferenceServerListResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Servers.InferenceServerRequest))]
[JsonSerializable(typeof(ModelsHub.Contracts.Servers.ServerMetricsResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Servers.PushRequest))]
[JsonSerializable(typeof(ModelsHub.Contracts.Servers.PushResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Deployments.DeploymentListResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Deployments.DeploymentRequest))]
[JsonSerializable(typeof(ModelsHub.Contracts.Deployments.DeploymentMetricsResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Training.TrainerListResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Training.TrainingJobRequest))]
[JsonSerializable(typeof(ModelsHub.Contracts.Training.TrainingJobDto))]
[JsonSerializable(typeof(ModelsHub.Contracts.Training.TrainingJobListResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Training.TrainingEventDto))]
[JsonSerializable(typeof(ModelsHub.Contracts.Training.TrainingEventPageResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Training.TrainingCheckpointsResponse))]
[JsonSerializable(typeof(VersionCompareResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Imports.ImportPreviewDto))]
[JsonSerializable(typeof(ModelsHub.Contracts.Imports.ImportDto))]
[JsonSerializable(typeof(ModelsHub.Contracts.Imports.ImportListResponse))]
[JsonSerializable(typeof(ModelsHub.Contracts.Imports.HuggingFaceImportRequestBody))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
