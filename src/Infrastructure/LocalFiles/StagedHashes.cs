using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using ModelsHub.Core.Storage;

namespace ModelsHub.Infrastructure.LocalFiles;

/// <summary>
/// Hashes a staged upload while it arrives, so completing it only hashes what is left. Chunks
/// arrive in any order; whenever the chunks from the start are all there, a background reader
/// feeds them (from the page cache, 1 MiB at a time) to a running SHA-256. A chunk sent again after
/// it was stored makes the running hash worthless: it is dropped and completion hashes the whole
/// file, as it also does after a restart (this state lives only in memory).
/// </summary>
internal sealed class StagedHashes
{
    private const int BufferSize = 1024 * 1024;

    private readonly ConcurrentDictionary<string, Running> _running = new(StringComparer.Ordinal);

    /// <summary>A stored chunk is about to be overwritten.</summary>
    public void Invalidate(string key)
    {
        if (_running.TryGetValue(key, out var running))
        {
            lock (running) running.Invalid = true;
        }
    }

    /// <summary>Chunk <paramref name="index"/> is written and recorded.</summary>
    public void Stored(string key, string path, StagedBlob layout, int index)
    {
        var running = _running.GetOrAdd(key, _ => new Running(path, layout));
        lock (running)
        {
            if (running.Invalid || running.Stopped || index < running.Next)
            {
                return;
            }
            running.Received.Add(index);
            if (!running.Busy && running.Received.Contains(running.Next))
            {
                running.Busy = true;
                running.Worker = Task.Run(() => CatchUpAsync(running));
            }
        }
    }

    /// <summary>Stops the reader and hands over the running hash and how far it got, or null when there is none to trust.</summary>
    public async Task<(IncrementalHash Sha, long Offset)?> TakeAsync(string key)
    {
        if (!_running.TryRemove(key, out var running))
        {
            return null;
        }
        lock (running) running.Stopped = true;
        await running.Worker;
        if (running.Invalid)
        {
            running.Sha.Dispose();
            return null;
        }
        return (running.Sha, (long)running.Next * running.Layout.ChunkSize);
    }

    public void Forget(string key)
    {
        if (_running.TryRemove(key, out var running))
        {
            lock (running) running.Stopped = true;
        }
    }

    public void ForgetPrefix(string prefix)
    {
        foreach (var key in _running.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            Forget(key);
        }
    }

    private static async Task CatchUpAsync(Running running)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var handle = File.OpenHandle(running.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            while (true)
            {
                int chunk;
                lock (running)
                {
                    if (running.Invalid || running.Stopped || !running.Received.Remove(running.Next))
                    {
                        running.Busy = false;
                        return;
                    }
                    chunk = running.Next;
                }
                var offset = running.Layout.OffsetOf(chunk);
                var end = offset + running.Layout.LengthOf(chunk);
                while (offset < end)
                {
                    var read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, (int)Math.Min(BufferSize, end - offset)), offset);
                    if (read == 0)
                    {
                        throw new IOException("The staged file is shorter than its layout.");
                    }
                    lock (running)
                    {
                        // A rewrite marks the hash invalid before it writes a byte: checked here, a piece read
                        // before the mark is the chunk's stored content. A stop waits for the chunk to end,
                        // so the hash always covers whole chunks.
                        if (running.Invalid)
                        {
                            running.Busy = false;
                            return;
                        }
                        running.Sha.AppendData(buffer, 0, read);
                    }
                    offset += read;
                }
                lock (running) running.Next = chunk + 1;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            lock (running)
            {
                running.Invalid = true;
                running.Busy = false;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class Running(string path, StagedBlob layout)
    {
        public string Path { get; } = path;

        public StagedBlob Layout { get; } = layout;

        public IncrementalHash Sha { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        /// <summary>Stored chunks at or after <see cref="Next"/>.</summary>
        public HashSet<int> Received { get; } = [];

        /// <summary>Chunks before this one are in <see cref="Sha"/>.</summary>
        public int Next { get; set; }

        public bool Invalid { get; set; }

        public bool Stopped { get; set; }

        public bool Busy { get; set; }

        public Task Worker { get; set; } = Task.CompletedTask;
    }
}
