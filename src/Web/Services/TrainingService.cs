using System.Net.ServerSentEvents;
using ModelsHub.Contracts.Training;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>
/// Training jobs (seed 003's 🚀, DESIGN.md "Training jobs"): the trainers on offer, start a job, list and read jobs,
/// follow one live (server-sent events), its metric points, log lines and checkpoints, and cancel it.
/// </summary>
public sealed class TrainingService(ApiClient api)
{
    public static string PathOf(string id) => $"api/training-jobs/{Query.Segment(id)}";

    public Task<TrainerListResponse> TrainersAsync(CancellationToken cancellationToken = default) =>
        api.GetAsync<TrainerListResponse>("api/trainers", cancellationToken);

    public async Task<TrainingJobDto> StartAsync(TrainingJobRequest request, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<TrainingJobDto>(HttpMethod.Post, "api/training-jobs", request, cancellationToken: cancellationToken)).Value!;

    public Task<TrainingJobListResponse> ListAsync(TrainingJobState? state, string? model, bool mine, string? continuationToken, CancellationToken cancellationToken = default) =>
        api.GetAsync<TrainingJobListResponse>(new Query("api/training-jobs").Add("state", state).Add("model", model).Add("mine", mine ? true : null)
            .Add("pageSize", 50).Add("continuationToken", continuationToken), cancellationToken);

    public Task<TrainingJobDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        api.GetAsync<TrainingJobDto>(PathOf(id), cancellationToken);

    public async Task<TrainingJobDto> CancelAsync(string id, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<TrainingJobDto>(HttpMethod.Post, $"{PathOf(id)}/cancel", cancellationToken: cancellationToken)).Value!;

    public Task<TrainingEventPageResponse> EventsAsync(string id, long after, int pageSize, CancellationToken cancellationToken = default) =>
        api.GetAsync<TrainingEventPageResponse>(new Query($"{PathOf(id)}/events").Add("after", after.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add("pageSize", pageSize), cancellationToken);

    public Task<TrainingCheckpointsResponse> CheckpointsAsync(string id, CancellationToken cancellationToken = default) =>
        api.GetAsync<TrainingCheckpointsResponse>($"{PathOf(id)}/checkpoints", cancellationToken);

    /// <summary>
    /// The job live: every stored event after <paramref name="lastEventId"/> then each new one, and the job itself
    /// (<see cref="TrainingUpdate.Job"/>) whenever it changes, until it has ended.
    /// </summary>
    public async IAsyncEnumerable<TrainingUpdate> FollowAsync(string id, long? lastEventId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in api.StreamAsync($"{PathOf(id)}/events", lastEventId?.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken))
        {
            yield return Read(item);
        }
    }

    internal static TrainingUpdate Read(SseItem<string> item) => item.EventType == "job"
        ? new TrainingUpdate(ApiClient.Read<TrainingJobDto>(item.Data), null)
        : new TrainingUpdate(null, ApiClient.Read<TrainingEventDto>(item.Data));
}

/// <summary>One item of a job's live stream: the job as it now stands, or one of its events.</summary>
public sealed record TrainingUpdate(TrainingJobDto? Job, TrainingEventDto? Event);
