using System.Text.Json;
using System.Text.Json.Serialization;

// The API's records as the web app reads them. They move to src/Contracts (shared with the server and the CLI)
// when that project lands; the names and shapes here are the server's.
namespace ModelsHub.Contracts;

public enum ModelType { Llm, Embedding, Rerank, Image, Audio, Video, Multimodal, Custom }

public enum ModelFramework { Pytorch, Tensorflow, Onnx, Tensorrt, Openvino, Gguf, Mlx, Custom }

public enum ModelSource { Upload, Huggingface, Openai, Anthropic, Upstream, Other }

public enum ModelVisibility { Private, Public }

public enum ModelTier { Standard, Advanced, Enterprise }

public enum ModelStatus { Active, Inactive }

public enum PullRequestState { Open, Merged, Closed }

public enum SubmissionState { Pending, Approved, Rejected, Superseded }

public enum ChangeKind { Register, Update, Expire, Delete }

public enum VersionStatus { Uploading, Ready, Failed }

public enum UploadStatus { Open, Completing, Verified, Completed, Failed }

public enum SyncRunStatus { Running, Succeeded, Failed }

public enum SyncTrigger { Schedule, Manual }

public enum WorkflowStatus { Running, Completed, Failed }

public sealed record ModelPullRequest(int Number, string Url, PullRequestState State, string Repository, string Branch, string? SubmissionId,
    DateTimeOffset UpdatedAt, DateTimeOffset? PublishedAt = null);

public sealed record ModelDto(
    string Name, ModelType Type, string Description, string Readme, IReadOnlyList<string> Tags, ModelFramework Framework, ModelSource Source,
    ModelVisibility Visibility, ModelTier Tier, string Owner, ModelStatus Status, DateTimeOffset? ExpiresAt, bool Featured,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, JsonElement? Spec, [property: JsonPropertyName("etag")] string? ETag,
    ModelPullRequest? PullRequest = null, string? DefaultVersion = null, bool DefaultVersionPinned = false, DateTimeOffset? RemovedUpstreamAt = null);

public sealed record ModelSummaryDto(
    string Name, ModelType Type, string Description, IReadOnlyList<string> Tags, ModelFramework Framework, ModelSource Source,
    ModelVisibility Visibility, ModelTier Tier, string Owner, ModelStatus Status, DateTimeOffset? ExpiresAt, bool Featured,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int SpecEntries, [property: JsonPropertyName("etag")] string? ETag,
    DateTimeOffset? RemovedUpstreamAt = null);

public sealed record ModelListResponse(IReadOnlyList<ModelSummaryDto> Items, string? ContinuationToken);

public sealed record ModelStatsResponse(int Total, IReadOnlyDictionary<string, int> ByType);

public sealed record ReadmeResponse(string Readme);

public sealed record FieldChange(string Field, JsonElement? Before, JsonElement? After);

public sealed record SubmissionDto(
    string Id, string ModelName, ModelType ModelType, ChangeKind Kind, int Revision, SubmissionState State, string Submitter,
    DateTimeOffset SubmittedAt, IReadOnlyList<FieldChange> Changes, ModelDto? Proposed, bool AutoApproved, string? DecidedBy,
    DateTimeOffset? DecidedAt, string? Feedback, string? SupersededBy, string? WorkflowId, ModelPullRequest? PullRequest,
    DateTimeOffset? PublishedAt = null);

public sealed record SubmissionListResponse(IReadOnlyList<SubmissionDto> Items, string? ContinuationToken);

public sealed record ReviewStatusResponse(string ModelName, SubmissionDto? Latest, ModelPullRequest? PullRequest, IReadOnlyList<SubmissionDto> Submissions);

public sealed record ModelHistoryEntry(DateTimeOffset At, string Action, string? By, int Revision, ChangeKind Kind, string SubmissionId, string? Detail);

public sealed record ModelHistoryResponse(string ModelName, IReadOnlyList<ModelHistoryEntry> Entries);

public sealed record DecisionRequest(string Decision, string? Feedback);

public sealed record MeDto(string Id, string DisplayName, string? Email, string? AvatarUrl, IReadOnlyList<string> Roles,
    IReadOnlyList<string> Permissions, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record UserDto(string Id, string DisplayName, string? Email, string? AvatarUrl, IReadOnlyList<string> Roles,
    IReadOnlyList<string> GrantedPermissions, IReadOnlyList<string> RevokedPermissions, IReadOnlyList<string> EffectivePermissions,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record UserListResponse(IReadOnlyList<UserDto> Items, string? ContinuationToken);

public sealed record ProfileRequest(string? DisplayName, string? Email, string? AvatarUrl);

public sealed record PermissionCatalog(IReadOnlyList<string> Permissions, IReadOnlyDictionary<string, IReadOnlyList<string>> Roles);

public sealed record GitHubTokenRequest(string Token);

public sealed record GitHubTokenSummary(string LastFour, string Login, IReadOnlyList<string> Scopes, DateTimeOffset ValidatedAt);

public sealed record DevTokenRequest(string User, IReadOnlyList<string>? Roles, string? Name, string? Email);

public sealed record DevTokenResponse(string AccessToken, string TokenType, int ExpiresIn, string User, IReadOnlyList<string> Roles);

public sealed record SyncCounts(int Added = 0, int Updated = 0, int Unchanged = 0, int Removed = 0, int UnderReview = 0, int Errors = 0);

public sealed record PullRequestCounts(int Checked = 0, int Merged = 0, int Closed = 0, int Errors = 0);

public sealed record SyncError(string? Type, string? Model, string Reason);

public sealed record SyncWorkflowDto(string Id, WorkflowStatus Status, string Step, int Attempt, DateTimeOffset? NextAttemptAt, string? LastError);

public sealed record SyncRunDto(string Id, long Sequence, SyncRunStatus Status, SyncTrigger Trigger, string? RequestedBy, string Repository, string Ref,
    string? Commit, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, long? DurationMs, int Entries, SyncCounts Counts, PullRequestCounts PullRequests,
    IReadOnlyList<SyncError> Errors, string? LastError, SyncWorkflowDto? Workflow);

public sealed record SyncStartResponse(string RunId, bool Joined, SyncRunDto Run);

public sealed record SyncRunListResponse(IReadOnlyList<SyncRunDto> Items);

public sealed record WorkflowEvent(DateTimeOffset At, string Step, string Outcome, string? Detail = null);

public sealed record WorkflowDto(string Id, string Kind, WorkflowStatus Status, string Step, IReadOnlyDictionary<string, string> Data, int Attempt,
    DateTimeOffset? NextAttemptAt, string? LastError, string? StartedBy, IReadOnlyList<WorkflowEvent> History, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record WorkflowListResponse(IReadOnlyList<WorkflowDto> Items, string? ContinuationToken);

public sealed record VersionFileDto(string Name, long Size, string Sha256, string ContentType, DateTimeOffset UploadedAt, string DownloadUrl);

public sealed record VersionDto(string Model, string Label, string Notes, VersionStatus Status, string? FailureReason, bool IsDefault,
    IReadOnlyList<VersionFileDto> Files, long TotalSize, IReadOnlyDictionary<string, double> Metrics, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, DateTimeOffset? ReadyAt, [property: JsonPropertyName("etag")] string? ETag, UploadDto? Upload = null);

public sealed record VersionListResponse(IReadOnlyList<VersionDto> Items, string? DefaultVersion, bool DefaultVersionPinned, string SuggestedLabel);

public sealed record VersionSuggestionResponse(string Label);

public sealed record UploadRequestBody(string FileName, long Size, string? Sha256, string? ContentType);

public sealed record VersionRequest(string? Label, string? Notes, IReadOnlyDictionary<string, double?>? Metrics, UploadRequestBody? File);

public sealed record DefaultVersionRequest(string? Label);

public sealed record UploadTargetDto(string Kind, string Url, DateTimeOffset ExpiresAt, string PutBlock, string PutBlockList);

public sealed record UploadDto(string Id, string Model, string Version, string FileName, long Size, string? Sha256, string ContentType,
    UploadStatus Status, string? FailureReason, string? ComputedSha256, long ChunkSize, int ChunkCount, string BlockIdScheme, int ChunksReceived,
    long BytesReceived, IReadOnlyList<int[]> ReceivedChunks, bool Committed, UploadTargetDto? Target, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt, DateTimeOffset? CompletedAt, string Url);

public sealed record UploadListResponse(IReadOnlyList<UploadDto> Items);

public sealed record UploadCompletionResponse(UploadDto Upload, VersionDto? Version);

/// <summary>What the web app needs to know before it starts: how people sign in. No secret is ever in it.</summary>
public sealed record ClientConfigResponse(string AuthMode, EntraClientConfig? Entra);

/// <summary>The public OpenID Connect settings of the web app's own (SPA) registration.</summary>
public sealed record EntraClientConfig(string Authority, string ClientId, IReadOnlyList<string> Scopes);

/// <summary>The permission names the hub checks (<c>GET /api/permissions</c> lists them all).</summary>
public static class Permissions
{
    public const string RegisterPrivateModels = "models.register.private";
    public const string RegisterPublicModels = "models.register.public";
    public const string RegisterEnterpriseModels = "models.register.enterprise";
    public const string UpdatePublicModels = "models.public.update";
    public const string DeletePublicModels = "models.public.delete";
    public const string ExpirePublicModels = "models.public.expire";
    public const string UpdateAdvancedModels = "models.advanced.update";
    public const string DeleteAdvancedModels = "models.advanced.delete";
    public const string ExpireAdvancedModels = "models.advanced.expire";
    public const string ViewAdvancedModels = "models.advanced.view";
    public const string ListReviews = "reviews.list";
    public const string DecideReviews = "reviews.decide";
    public const string AdministerUsers = "users.administer";
}
