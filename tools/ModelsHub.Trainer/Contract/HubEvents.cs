using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;

namespace ModelsHub.Trainer.Contract;

/// <summary>The hub answered that this job has ended (cancelled, timed out, failed): the trainer stops.</summary>
public sealed class JobEndedException(string message) : Exception(message);

/// <summary>Where a trainer's events go: the hub's job-scoped events URL, or standard output when run by hand.</summary>
public interface IEventSink : IAsyncDisposable
{
    /// <summary>Queues an event; <see cref="TrainerEvent.Seq"/> is assigned here.</summary>
    void Post(TrainerEvent line);

    /// <summary>Waits until every queued event has been accepted.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}

/// <summary>Events as JSON lines on a writer (the trainer run by hand, without a hub).</summary>
public sealed class WriterEventSink(TextWriter writer) : IEventSink
{
    private long _seq;

    public void Post(TrainerEvent line)
    {
        lock (writer)
        {
            writer.WriteLine(JsonSerializer.Serialize(line with { Seq = ++_seq, At = line.At ?? DateTimeOffset.UtcNow }, ContractJson.RequestOptions));
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// Posts events to the hub in batches of JSON lines (at most every <see cref="Interval"/>, sooner when
/// many are waiting). A batch that fails (the hub restarting, a network blip, 5xx, 429) is sent
/// again, unchanged, with back-off for up to <see cref="GiveUpAfter"/>: the hub acknowledges lines it
/// already holds by their sequence numbers, so a resend never doubles them. A 409 means the job has
/// ended and the trainer must stop; any other 4xx means the hub refused the lines (and failed the job).
/// </summary>
public sealed class HubEventSink : IEventSink
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private const int MaxBatch = 500;

    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly Channel<TrainerEvent> _queue = Channel.CreateUnbounded<TrainerEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;
    private readonly CancellationTokenSource _stop = new();
    private readonly TextWriter _log;
    private long _seq;
    private long _queued;
    private long _acknowledged;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _failure;

    public HubEventSink(HttpClient http, Uri url, TextWriter log, TimeSpan? giveUpAfter = null)
    {
        _http = http;
        _url = url;
        _log = log;
        GiveUpAfter = giveUpAfter ?? TimeSpan.FromMinutes(10);
        _pump = Task.Run(PumpAsync);
    }

    public TimeSpan GiveUpAfter { get; }

    /// <summary>Set when the hub refused events or ended the job; the trainer checks it between steps.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    public void Post(TrainerEvent line)
    {
        lock (_queue)
        {
            var numbered = line with { Seq = ++_seq, At = line.At ?? DateTimeOffset.UtcNow };
            _queued = numbered.Seq;
            _queue.Writer.TryWrite(numbered);
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var progress = Volatile.Read(ref _progress).Task;
            if (Failure is { } failure)
            {
                throw failure;
            }
            if (Interlocked.Read(ref _acknowledged) >= Interlocked.Read(ref _queued))
            {
                return;
            }
            await progress.WaitAsync(cancellationToken);
        }
    }

    private async Task PumpAsync()
    {
        var batch = new List<TrainerEvent>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token))
            {
                await Task.Delay(Interval, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var line))
                {
                    batch.Add(line);
                }
                await SendAsync(batch);
                Interlocked.Exchange(ref _acknowledged, batch[^1].Seq);
                batch.Clear();
                Interlocked.Exchange(ref _progress, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _failure, ex);
            Interlocked.Exchange(ref _progress, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private async Task SendAsync(IReadOnlyList<TrainerEvent> batch)
    {
        var body = new StringBuilder();
        foreach (var line in batch)
        {
            body.Append(JsonSerializer.Serialize(line, ContractJson.RequestOptions)).Append('\n');
        }
        var payload = Encoding.UTF8.GetBytes(body.ToString());
        var started = DateTime.UtcNow;
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            HttpResponseMessage? response = null;
            try
            {
                using var content = new ByteArrayContent(payload);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                response = await _http.PostAsync(_url, content, _stop.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                var text = await response.Content.ReadAsStringAsync(_stop.Token);
                if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    throw new JobEndedException($"The hub has ended this job: {text}");
                }
                if ((int)response.StatusCode is >= 400 and < 500 && response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout))
                {
                    throw new InvalidOperationException($"The hub refused the events ({(int)response.StatusCode}): {text}");
                }
                await _log.WriteLineAsync($"events: the hub answered {(int)response.StatusCode}; sending again in {delay.TotalSeconds:0.##} s");
            }
            catch (HttpRequestException ex)
            {
                await _log.WriteLineAsync($"events: {ex.Message}; sending again in {delay.TotalSeconds:0.##} s");
            }
            catch (TaskCanceledException) when (!_stop.IsCancellationRequested)
            {
                await _log.WriteLineAsync($"events: the hub did not answer in time; sending again in {delay.TotalSeconds:0.##} s");
            }
            finally
            {
                response?.Dispose();
            }
            if (DateTime.UtcNow - started > GiveUpAfter)
            {
                throw new TimeoutException($"The hub has not accepted events for {GiveUpAfter}; giving up.");
            }
            await Task.Delay(delay, _stop.Token);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _pump.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync();
        }
        _stop.Dispose();
    }
}
