using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace ModelsHub.Cli;

/// <summary>Where a transfer reports the bytes it moved: a live bar, or lines.</summary>
public interface ITransferProgress
{
    /// <summary><paramref name="bytes"/> more arrived at the other side.</summary>
    void Advance(long bytes);

    /// <summary>Chunk <paramref name="index"/> is on the hub (the <paramref name="done"/>th of <paramref name="total"/>).</summary>
    void Chunk(int index, int done, int total);
}

public static class TransferProgress
{
    /// <summary>
    /// Runs <paramref name="work"/> with a progress bar (percentage, bytes, speed, time left) when the
    /// context draws bars, else with a line per chunk (what scripts and logs read).
    /// </summary>
    public static async Task<T> RunAsync<T>(CliContext cli, string description, long total, long already, Func<ITransferProgress, Task<T>> work)
    {
        if (!cli.Bars)
        {
            return await work(new Lines(cli));
        }
        return await cli.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1));
                task.Increment(already);
                var result = await work(new Bar(task));
                task.Value = task.MaxValue;
                return result;
            });
    }

    private sealed class Bar(ProgressTask task) : ITransferProgress
    {
        public void Advance(long bytes) => task.Increment(bytes);

        public void Chunk(int index, int done, int total)
        {
        }
    }

    private sealed class Lines(CliContext cli) : ITransferProgress
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _bytes;

        public void Advance(long bytes) => Interlocked.Add(ref _bytes, bytes);

        public void Chunk(int index, int done, int total) =>
            cli.Say(string.Create(CultureInfo.InvariantCulture,
                $"chunk {index} uploaded ({done}/{total}, {Interlocked.Read(ref _bytes) / 1e6 / Math.Max(_clock.Elapsed.TotalSeconds, 0.001):0.0} MB/s)"));
    }
}
