using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.Common;
using ModelsHub.Core.Training;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Hosting;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Uploads;
using ModelsHub.Functions.Versions;

namespace ModelsHub.Functions.Training;

/// <summary>
/// Training jobs (DESIGN.md "Training jobs"): start, list, read, follow live (paged events or
/// server-sent events), metrics, checkpoints, cancel; the trainers the hub offers; and the trainer
/// contract's two job-scoped routes (events, output), authorized by the job's token in the URL.
/// </summary>
public static class TrainingApi
{
    /// <summary>The most events one page (or one server-sent burst) carries.</summary>
    public const int MaxEventPage = 1000;

    public static RouteGroupBuilder MapTrainingApi(this RouteGroupBuilder api)
    {
        api.MapGet("/trainers", ListTrainers).WithTags("Training jobs").WithName("ListTrainers").RequireAuthorization()
            .WithSummary("The trainers jobs may use: dataset formats, methods, hyperparameters (type, default, bounds) and the computes each runs on.");

        var jobs = api.MapGroup("/training-jobs").WithTags("Training jobs").RequireAuthorization();
        jobs.MapPost("/", CreateTrainingJob).WithName("CreateTrainingJob")
            .WithSummary("Start a job {model, version, dataset, datasetVersion, name?, trainer?, method?, hyperparameters?, compute?, output?: {model?, label?}} (training.run).")
            .Accepts<TrainingJobRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        jobs.MapGet("/", ListTrainingJobs).WithName("ListTrainingJobs")
            .WithSummary("Jobs you may see, newest first: state, model, mine=true, pageSize (1-100), continuationToken.")
            .ProducesValidationProblem();
        jobs.MapGet("/{id}", GetTrainingJob).WithName("GetTrainingJob")
            .WithSummary("A job: state (with each state's time), progress (percent, step, epoch, ETA), latest metrics, output version, error with the trainer's last log lines.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapGet("/{id}/events", ListTrainingEvents).WithName("ListTrainingEvents")
            .WithSummary("The job's events after ?after=<seq> (paged, pageSize up to 1000), or with Accept: text/event-stream live as server-sent events (id = seq; resume with Last-Event-ID; 'job' events carry the job).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapGet("/{id}/metrics", ListTrainingMetrics).WithName("ListTrainingMetrics")
            .WithSummary("Every metric point (name, value, step, epoch), in order; ?name= one metric, ?after=<seq>, pageSize up to 1000.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapGet("/{id}/checkpoints", ListTrainingCheckpoints).WithName("ListTrainingCheckpoints")
            .WithSummary("The checkpoints the trainer reported.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapPost("/{id}/cancel", CancelTrainingJob).WithName("CancelTrainingJob")
            .WithSummary("Stop the job: its trainer is stopped (process tree, or the Kubernetes Job deleted) and the job ends cancelled; 409 once it has ended.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        // The trainer contract: authorized by the job's token in the URL, not by a user. Not rate-limited: the
        // token bounds it (one job's trainer, refused once the job ended), and every local trainer posts from
        // the hub's own address, so a per-address allowance would throttle all of them together.
        var trainer = api.MapGroup("/training-jobs/{id}").WithTags("Trainer contract").AllowAnonymous().DisableRateLimiting();
        trainer.MapPost("/events", PostTrainingEvents).WithName("PostTrainingEvents")
            .WithSummary("A trainer's event lines (application/x-ndjson: progress, metric, log, checkpoint, output), ?token= the job's; 409 once the job has ended.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        trainer.MapPost("/output", OpenTrainingOutput).WithName("OpenTrainingOutput")
            .WithSummary("A trainer opens the upload of its output {fileName, size, sha256, contentType?} with the hub's upload protocol, ?token= the job's.")
            .Accepts<UploadRequestBody>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        trainer.MapGet("/output/{uploadId}", GetTrainingOutput).WithName("GetTrainingOutput")
            .WithSummary("A trainer reads its output's upload (which chunks arrived, a fresh target), ?token= the job's.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static Ok<TrainerListResponse> ListTrainers(TrainingJobs jobs) =>
        TypedResults.Ok(new TrainerListResponse(jobs.Trainers.All.Select(t => t.ToDto(jobs.Trainers, jobs.Computes)).ToList(),
            jobs.Trainers.Options.DefaultTrainer, jobs.Trainers.Options.DefaultCompute));

    public static async Task<Created<TrainingJobDto>> CreateTrainingJob(HttpContext context, TrainingJobs jobs, TimeProvider clock, CancellationToken cancellationToken)
    {
        var input = TrainingInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var job = await jobs.CreateAsync(context.GetCaller(), input, cancellationToken);
        var dto = job.ToDto(clock.GetUtcNow());
        return TypedResults.Created(dto.Url, dto);
    }

    public static async Task<Ok<TrainingJobListResponse>> ListTrainingJobs(HttpContext context, TrainingJobs jobs, TimeProvider clock, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var query = new TrainingJobQuery(q.Enum<TrainingJobState>("state"), q.String("model", 200));
        var mine = q.Boolean("mine") ?? false;
        var pageSize = q.PageSize();
        var token = q.ContinuationToken();
        q.Errors.ThrowIfAny();
        var page = await jobs.ListAsync(context.GetCaller(), query, mine, pageSize, token, cancellationToken);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new TrainingJobListResponse(page.Items.Select(j => j.ToDto(now)).ToList(), page.ContinuationToken));
    }

    public static async Task<Ok<TrainingJobDto>> GetTrainingJob(string id, HttpContext context, TrainingJobs jobs, TimeProvider clock, CancellationToken cancellationToken) =>
        TypedResults.Ok((await jobs.GetAsync(context.GetCaller(), id, cancellationToken)).Job.ToDto(clock.GetUtcNow()));

    public static async Task<Results<Ok<TrainingEventPageResponse>, ServerSentEventsResult<string>>> ListTrainingEvents(string id, HttpContext context,
        TrainingJobs jobs, TimeProvider clock, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var after = Seq(q, "after");
        var pageSize = q.Integer("pageSize", 1, MaxEventPage) ?? 100;
        q.Errors.ThrowIfAny();
        var live = context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));
        if (live)
        {
            if (context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } lastId)
            {
                after = long.TryParse(lastId, out var resumed) && resumed >= 0 ? resumed : throw new ValidationException("Last-Event-ID", "Must be the seq of the last event received.");
            }
            var (job, _) = await jobs.ReadEventsAsync(context.GetCaller(), id, after, 0, null, cancellationToken);
            return TypedResults.ServerSentEvents(FollowAsync(job, after, jobs, clock, context.RequestServices.GetRequiredService<TrainingLiveFeed>(), cancellationToken));
        }
        var (found, events) = await jobs.ReadEventsAsync(context.GetCaller(), id, after, pageSize + 1, null, cancellationToken);
        var items = events.Take(pageSize).Select(e => e.ToDto()).ToList();
        return TypedResults.Ok(new TrainingEventPageResponse(items, items.Count > 0 ? items[^1].Seq : after, events.Count > pageSize, found.State));
    }

    /// <summary>
    /// The live stream: the job (<c>event: job</c>), the events after <paramref name="after"/>, then each new
    /// event as it is stored (<c>id</c> = seq, <c>event</c> = its type) and the job again whenever it changes
    /// (at most once a second while only its progress moves), until the job has ended and every event was sent.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> FollowAsync(TrainingJob job, long after, TrainingJobs jobs, TimeProvider clock, TrainingLiveFeed feed,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sent = job;
        var sentAt = clock.GetUtcNow();
        yield return JobItem(job, clock);
        while (!cancellationToken.IsCancellationRequested)
        {
            var changed = feed.Next(job.Id);
            var (current, events) = await jobs.PollAsync(job.Id, after, MaxEventPage, cancellationToken);
            foreach (var e in events)
            {
                after = e.Seq;
                yield return new SseItem<string>(JsonSerializer.Serialize(e.ToDto(), ContractJson.Options), EnumNames<TrainerEventType>.NameOf(e.Type))
                {
                    EventId = e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
            }
            var now = clock.GetUtcNow();
            if (current.State != sent.State || (current.UpdatedAt != sent.UpdatedAt && now - sentAt >= TimeSpan.FromSeconds(1)) || (current.IsEnded && current.UpdatedAt != sent.UpdatedAt))
            {
                sent = current;
                sentAt = now;
                yield return JobItem(current, clock);
            }
            if (current.IsEnded && events.Count < MaxEventPage)
            {
                yield break;
            }
            if (events.Count == MaxEventPage)
            {
                continue;
            }
            // Woken by this instance's writes at once; another instance's are seen within a second.
            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(1), clock, cancellationToken));
        }
    }

    private static SseItem<string> JobItem(TrainingJob job, TimeProvider clock) =>
        new(JsonSerializer.Serialize(job.ToDto(clock.GetUtcNow()), ContractJson.Options), "job");

    public static async Task<Ok<TrainingMetricsResponse>> ListTrainingMetrics(string id, HttpContext context, TrainingJobs jobs, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var after = Seq(q, "after");
        var name = q.String("name", 200);
        var pageSize = q.Integer("pageSize", 1, MaxEventPage) ?? MaxEventPage;
        q.Errors.ThrowIfAny();
        var points = new List<TrainingMetricPointDto>();
        var cursor = after;
        var more = false;
        // A name filter reads on until the page is full or the metrics end.
        while (true)
        {
            var (_, events) = await jobs.ReadEventsAsync(context.GetCaller(), id, cursor, MaxEventPage, [TrainerEventType.Metric], cancellationToken);
            foreach (var e in events)
            {
                cursor = e.Seq;
                if (name is null || e.Line.Name == name)
                {
                    if (points.Count == pageSize)
                    {
                        more = true;
                        break;
                    }
                    points.Add(new TrainingMetricPointDto(e.Line.Name!, e.Line.Value!.Value, e.Line.Step, e.Line.Epoch, e.Line.At ?? e.ReceivedAt, e.Seq));
                }
            }
            if (more || events.Count < MaxEventPage)
            {
                break;
            }
        }
        return TypedResults.Ok(new TrainingMetricsResponse(points, points.Count > 0 ? points[^1].Seq : after, more));
    }

    public static async Task<Ok<TrainingCheckpointsResponse>> ListTrainingCheckpoints(string id, HttpContext context, TrainingJobs jobs, CancellationToken cancellationToken)
    {
        var checkpoints = new List<TrainingCheckpointDto>();
        long after = 0;
        while (true)
        {
            var (_, events) = await jobs.ReadEventsAsync(context.GetCaller(), id, after, MaxEventPage, [TrainerEventType.Checkpoint], cancellationToken);
            checkpoints.AddRange(events.Select(e => new TrainingCheckpointDto(e.Line.Name!, e.Line.Step, e.Line.Epoch, e.Line.Size, e.Line.Sha256, e.Line.Uri,
                e.Line.At ?? e.ReceivedAt, e.Seq)));
            if (events.Count < MaxEventPage)
            {
                break;
            }
            after = events[^1].Seq;
        }
        return TypedResults.Ok(new TrainingCheckpointsResponse(checkpoints));
    }

    public static async Task<Accepted<TrainingJobDto>> CancelTrainingJob(string id, HttpContext context, TrainingJobs jobs, TimeProvider clock, CancellationToken cancellationToken)
    {
        var job = await jobs.CancelAsync(context.GetCaller(), id, cancellationToken);
        return TypedResults.Accepted(TrainingMappings.PathOf(id), job.ToDto(clock.GetUtcNow()));
    }

    public static async Task<Ok<TrainerEventsAccepted>> PostTrainingEvents(string id, HttpContext context, TrainingEventIngestion ingestion, IOptions<ApiOptions> api,
        CancellationToken cancellationToken)
    {
        var type = context.Request.ContentType ?? "";
        if (!(type.StartsWith("application/x-ndjson", StringComparison.OrdinalIgnoreCase) || type.StartsWith("application/jsonl", StringComparison.OrdinalIgnoreCase)
              || type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            throw new UnsupportedFormatException($"Send event lines as application/x-ndjson (one JSON object per line), not '{(type.Length == 0 ? "nothing" : type)}'.",
                ["application/x-ndjson", "application/jsonl", "application/json"]);
        }
        var body = await ReadTextAsync(context, api.Value.MaxRequestBodyBytes, cancellationToken);
        return TypedResults.Ok(await ingestion.IngestAsync(id, context.Request.Query["token"].ToString(), body, cancellationToken));
    }

    public static async Task<Results<Created<UploadDto>, Ok<UploadDto>>> OpenTrainingOutput(string id, HttpContext context, TrainingOutputs outputs,
        CancellationToken cancellationToken)
    {
        var token = context.Request.Query["token"].ToString();
        var request = VersionInputReader.ReadUpload(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var state = await outputs.OpenAsync(id, token, request, cancellationToken);
        var dto = state.ToDto(context.Request) with { Url = $"{TrainingMappings.PathOf(id)}/output/{state.Session.Id}" };
        return state.Created ? TypedResults.Created(dto.Url, dto) : TypedResults.Ok(dto);
    }

    public static async Task<Ok<UploadDto>> GetTrainingOutput(string id, string uploadId, HttpContext context, TrainingOutputs outputs, CancellationToken cancellationToken)
    {
        var state = await outputs.GetAsync(id, context.Request.Query["token"].ToString(), uploadId, cancellationToken);
        return TypedResults.Ok(state.ToDto(context.Request) with { Url = $"{TrainingMappings.PathOf(id)}/output/{state.Session.Id}" });
    }

    private static long Seq(QueryReader q, string key)
    {
        var text = q.String(key, 20);
        if (text is null)
        {
            return 0;
        }
        if (long.TryParse(text, out var value) && value >= 0)
        {
            return value;
        }
        q.Errors.Add(key, "Must be a seq: a whole number, 0 or more.");
        return 0;
    }

    private static async Task<string> ReadTextAsync(HttpContext context, long limit, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > limit)
        {
            throw new PayloadTooLargeException($"The body is {context.Request.ContentLength} bytes; the limit is {limit}.");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                throw new PayloadTooLargeException($"The body is over the limit of {limit} bytes.");
            }
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new ValidationException("events", "The body is not UTF-8 text.");
        }
    }
}
