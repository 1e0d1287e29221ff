using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.HuggingFace;

/// <summary>Fails a read that waits longer than the timeout for bytes: a download whose server went silent ends instead of hanging its step.</summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan timeout) : ForwardReadStream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(timeout);
        try
        {
            return await inner.ReadAsync(buffer, idle.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"No bytes arrived for {timeout.TotalSeconds:0} s.", ex);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>Refuses to read past a limit: a metadata answer larger than any real one is not parsed into memory.</summary>
internal sealed class LimitedStream(Stream inner, long limit) : ForwardReadStream
{
    private long _read;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        _read += read;
        return _read > limit ? throw new System.Text.Json.JsonException($"The answer is larger than {limit} bytes.") : read;
    }
}
