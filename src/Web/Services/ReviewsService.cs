using ModelsHub.Contracts;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>The reviewers' queue filters.</summary>
public sealed record ReviewFilter
{
    public ModelType? Type { get; init; }
    public SubmissionState? State { get; init; } = SubmissionState.Pending;
    public string? Submitter { get; init; }
    public string? Model { get; init; }
    public int? MinAgeHours { get; init; }
    public int? MaxAgeHours { get; init; }
    public int PageSize { get; init; } = 20;
    public string? ContinuationToken { get; init; }
}

/// <summary>The review queue, one submission, and a decision.</summary>
public sealed class ReviewsService(ApiClient api)
{
    public Task<SubmissionListResponse> QueueAsync(ReviewFilter filter, CancellationToken cancellationToken = default) =>
        api.GetAsync<SubmissionListResponse>(new Query("api/reviews").Add("type", filter.Type).Add("state", filter.State)
            .Add("submitter", filter.Submitter?.Trim()).Add("model", filter.Model?.Trim()).Add("minAgeHours", filter.MinAgeHours)
            .Add("maxAgeHours", filter.MaxAgeHours).Add("pageSize", filter.PageSize).Add("continuationToken", filter.ContinuationToken), cancellationToken);

    public Task<SubmissionDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        api.GetAsync<SubmissionDto>($"api/reviews/{Query.Segment(id)}", cancellationToken);

    public async Task<SubmissionDto> DecideAsync(string id, bool approve, string? feedback, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<SubmissionDto>(HttpMethod.Post, $"api/reviews/{Query.Segment(id)}/decision",
            new DecisionRequest(approve ? "approve" : "reject", string.IsNullOrWhiteSpace(feedback) ? null : feedback.Trim()),
            cancellationToken: cancellationToken)).Value!;
}
