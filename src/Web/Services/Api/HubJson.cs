using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelsHub.Contracts;

namespace ModelsHub.Web.Services.Api;

/// <summary>The API's JSON (camelCase, enums as lowercase names), with serializers generated at build time so trimming keeps them.</summary>
public static class HubJson
{
    public static JsonSerializerOptions Options => HubJsonContext.Default.Options;

    /// <summary>An enum value as the API writes it (<c>llm</c>, <c>enterprise</c>).</summary>
    public static string NameOf<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}

/// <summary>Enums as the API writes them: lowercase names (<c>llm</c>, <c>huggingface</c>), never numbers.</summary>
public sealed class LowercaseEnumConverter() : JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false);

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
[JsonSerializable(typeof(GitHubTokenRequest))]
[JsonSerializable(typeof(GitHubTokenSummary))]
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
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
