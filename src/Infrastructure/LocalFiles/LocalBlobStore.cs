using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.Infrastructure.LocalFiles;

/// <summary>
/// The embedded profile's blob store: files under the data folder's <c>blobs/</c>, named by key.
/// A staged upload is one sparse file that grows to its final size as chunks arrive (a declaration
/// reserves nothing: declaring costs no disk); each block id names its chunk, so a block is written
/// straight at its offset while its MD5 is computed, and SQLite records which blocks arrived. Committing checks the list, publishing is an atomic rename. Nothing is ever held
/// in memory beyond two 1 MiB buffers per request, whatever the file's size.
/// </summary>
/// <remarks>
/// Durable against a process crash (what the embedded profile promises): data goes through the
/// page cache without fsync, and a block is recorded only after its bytes were written.
/// </remarks>
public sealed class LocalBlobStore(LocalBlobFolder folder, SqliteDatabase database, LocalBlobUrls urls, IBlobEventPublisher? events = null) : IBlobStore
{
    private const int BufferSize = 1024 * 1024;

    private readonly string _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder.Root));
    private readonly ConcurrentDictionary<string, WriteGate> _gates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim[] _blockLocks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly StagedHashes _hashes = new();

    public async Task<UploadTarget> PrepareUploadAsync(StagedBlob staged, DateTimeOffset targetExpiresAt, CancellationToken cancellationToken)
    {
        var path = PathOf(staged.Key);
        if (await ReadLayoutAsync(staged.Key, cancellationToken) is null)
        {
            // Nothing is reserved: a declaration must not cost disk (any user could fill it without sending a byte;
            // quotas bound what users may hold). A file that cannot fit even on an empty disk is refused now.
            if (FreeBytes() is { } free && staged.Size > free)
            {
                throw new PayloadTooLargeException($"size: this hub's storage cannot hold a file of {staged.Size} bytes.", "size");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                // No block is recorded for this key yet, so starting from an empty file loses nothing.
                File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite).Dispose();
            }
            catch (IOException ex)
            {
                TryDelete(path);
                TryDeleteEmptyFolder(Path.GetDirectoryName(path)!);
                throw new InsufficientStorageException("This hub's storage cannot take a new upload now; try again later.", ex);
            }
            await database.WriteAsync((c, tx) => Execute(c, tx,
                "INSERT OR IGNORE INTO staged_blobs (key, size, chunk_size, chunk_count, committed, created_at) VALUES ($key, $size, $chunk_size, $chunk_count, 0, $now);",
                ("$key", staged.Key), ("$size", staged.Size), ("$chunk_size", staged.ChunkSize), ("$chunk_count", staged.ChunkCount),
                ("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())), cancellationToken);
        }
        return new UploadTarget(urls.Sign(staged.Key, targetExpiresAt), targetExpiresAt);
    }

    public async Task<byte[]> StageBlockAsync(string key, string blockId, Stream content, long length, byte[]? contentMd5, CancellationToken cancellationToken)
    {
        if (!BlockIds.TryParse(blockId, out var index))
        {
            throw new ValidationException("blockid", $"'{(blockId.Length <= 20 ? blockId : blockId[..20] + "…")}' is not a block id of this upload; block ids are the {BlockIds.Scheme}.");
        }
        var layout = await ReadLayoutAsync(key, cancellationToken) ?? throw new NotFoundException("Upload", key);
        if (layout.Committed)
        {
            throw new ConflictException("This upload's blocks were committed; no block can be added or replaced.");
        }
        if (index >= layout.Staged.ChunkCount)
        {
            throw new ValidationException("blockid", $"Chunk {index} is past this upload's last chunk ({layout.Staged.ChunkCount - 1}).");
        }
        var expected = layout.Staged.LengthOf(index);
        if (length != expected)
        {
            throw new ValidationException("Content-Length", $"Chunk {index} must be exactly {expected} bytes; this one is {length}.");
        }

        var gate = _gates.GetOrAdd(key, _ => new WriteGate());
        gate.Enter();
        // The same block sent twice at once (a client retrying) must not interleave its writes.
        var blockLock = _blockLocks[(uint)HashCode.Combine(key, index) % (uint)_blockLocks.Length];
        await blockLock.WaitAsync(cancellationToken);
        try
        {
            // A rewrite overwrites the recorded block's bytes: forget it until the new bytes are all there.
            if (await database.ReadAsync(c => Scalar(c, "SELECT 1 FROM staged_blocks WHERE key = $key AND idx = $idx;", ("$key", key), ("$idx", index)), cancellationToken) is not null)
            {
                _hashes.Invalidate(key);
                await database.WriteAsync((c, tx) => Execute(c, tx, "DELETE FROM staged_blocks WHERE key = $key AND idx = $idx;", ("$key", key), ("$idx", index)), cancellationToken);
            }
            byte[] md5;
            try
            {
                md5 = await WriteAtAsync(PathOf(key), layout.Staged.OffsetOf(index), content, expected, cancellationToken);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // An abort or a publish moved the staged file away after the layout was read: the upload is gone, not broken.
                throw new NotFoundException("Upload", key);
            }
            catch (IOException ex)
            {
                // A full (or failing) disk: the block is not recorded, so the client sends it again later. The
                // exception's own message names the file's path, which is the server's business.
                throw new InsufficientStorageException($"Chunk {index} could not be stored: this hub's storage is full or failing; send it again later.", ex);
            }
            if (contentMd5 is not null && !CryptographicOperations.FixedTimeEquals(md5, contentMd5))
            {
                throw new ValidationException("Content-MD5",
                    $"Chunk {index} arrived with MD5 {Convert.ToBase64String(md5)} but Content-MD5 says {Convert.ToBase64String(contentMd5)}: it was corrupted on the way and was not stored; send it again.");
            }
            var recorded = await database.WriteAsync((c, tx) => Execute(c, tx,
                // Only while the upload exists: an abort racing this write must not leave a stray row behind.
                "INSERT OR REPLACE INTO staged_blocks (key, idx, size, md5) SELECT $key, $idx, $size, $md5 WHERE EXISTS (SELECT 1 FROM staged_blobs WHERE key = $key);",
                ("$key", key), ("$idx", index), ("$size", expected), ("$md5", md5)), cancellationToken);
            if (recorded == 1)
            {
                _hashes.Stored(key, PathOf(key), layout.Staged, index);
            }
            return md5;
        }
        finally
        {
            blockLock.Release();
            gate.Exit();
        }
    }

    public async Task<BlockListing> GetBlocksAsync(string key, CancellationToken cancellationToken)
    {
        var layout = await ReadLayoutAsync(key, cancellationToken);
        if (layout is null)
        {
            return BlockListing.Empty;
        }
        var staged = layout.Staged;
        if (layout.Committed)
        {
            return new BlockListing(Enumerable.Range(0, staged.ChunkCount).Select(i => new StagedBlock(BlockIds.For(i), staged.LengthOf(i))).ToList(), []);
        }
        var blocks = await database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT idx, size FROM staged_blocks WHERE key = $key ORDER BY idx;";
            command.Parameters.AddWithValue("$key", key);
            using var reader = command.ExecuteReader();
            var list = new List<StagedBlock>();
            while (reader.Read())
            {
                list.Add(new StagedBlock(BlockIds.For(reader.GetInt32(0)), reader.GetInt64(1)));
            }
            return list;
        }, cancellationToken);
        return new BlockListing([], blocks);
    }

    public async Task<long> CommitBlocksAsync(string key, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken)
    {
        var layout = await ReadLayoutAsync(key, cancellationToken) ?? throw new NotFoundException("Upload", key);
        var count = layout.Staged.ChunkCount;
        if (!blockIds.SequenceEqual(BlockIds.Sequence(count)))
        {
            // Blocks sit at their chunk's offset, so the only content this store can commit is every chunk in order.
            throw new ValidationException("blocklist", $"List the block ids of chunks 0 to {count - 1} in order ({count} ids); this list has {blockIds.Count}, not in that order.");
        }
        if (!layout.Committed)
        {
            var gate = _gates.GetOrAdd(key, _ => new WriteGate());
            await gate.SealAsync();
            try
            {
                var received = await database.ReadAsync(c =>
                {
                    using var command = c.CreateCommand();
                    command.CommandText = "SELECT idx FROM staged_blocks WHERE key = $key;";
                    command.Parameters.AddWithValue("$key", key);
                    using var reader = command.ExecuteReader();
                    var set = new HashSet<int>();
                    while (reader.Read()) set.Add(reader.GetInt32(0));
                    return set;
                }, cancellationToken);
                if (received.Count != count)
                {
                    var missing = Enumerable.Range(0, count).Where(i => !received.Contains(i));
                    throw new ValidationException("blocklist", $"Chunks {Core.Uploads.ChunkRanges.Describe(missing)} have not been uploaded; upload them before committing.");
                }
                await database.WriteAsync((c, tx) => Execute(c, tx, "UPDATE staged_blobs SET committed = 1, content_type = $type WHERE key = $key;",
                    ("$key", key), ("$type", contentType)), cancellationToken);
            }
            catch
            {
                gate.Unseal();
                throw;
            }
        }
        if (events is not null)
        {
            // Blob Storage raises BlobCreated for every Put Block List; so does this store.
            await events.PublishAsync(new BlobCreated(key, layout.Staged.Size), cancellationToken);
        }
        return layout.Staged.Size;
    }

    public async Task<byte[]> ComputeSha256Async(string key, CancellationToken cancellationToken)
    {
        SafeFileHandleScope scope;
        try
        {
            scope = new SafeFileHandleScope(File.OpenHandle(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NotFoundException("Blob", key);
        }
        // Most of an upload was usually hashed while it arrived; only the rest is read now.
        var head = await _hashes.TakeAsync(key);
        using (scope)
        using (var sha = head?.Sha ?? IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var handle = scope.Handle;
            var length = RandomAccess.GetLength(handle);
            var current = ArrayPool<byte>.Shared.Rent(BufferSize);
            var next = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                // Read the next buffer while hashing this one: the disk (or page cache) and the CPU work at once.
                var offset = Math.Min(head?.Offset ?? 0, length);
                var pending = ReadAsync(handle, current, offset, length, cancellationToken);
                while (true)
                {
                    var read = await pending;
                    if (read == 0) break;
                    offset += read;
                    pending = ReadAsync(handle, next, offset, length, cancellationToken);
                    sha.AppendData(current, 0, read);
                    (current, next) = (next, current);
                }
                return sha.GetHashAndReset();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(current);
                ArrayPool<byte>.Shared.Return(next);
            }
        }
    }

    public async Task PromoteAsync(string stagedKey, string publishedKey, string contentType, CancellationToken cancellationToken)
    {
        var source = PathOf(stagedKey);
        var destination = PathOf(publishedKey);
        if (!File.Exists(source))
        {
            if (File.Exists(destination) && await ReadLayoutAsync(stagedKey, cancellationToken) is null)
            {
                return;
            }
            if (!File.Exists(destination))
            {
                throw new NotFoundException("Blob", stagedKey);
            }
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            // rename(2): readers of the published key see the old file or the new one, never a mix.
            File.Move(source, destination, overwrite: true);
        }
        await ForgetStagedAsync(stagedKey, cancellationToken);
        TryDeleteEmptyFolder(Path.GetDirectoryName(source)!);
    }

    public Task<Uri?> GetDownloadUrlAsync(string key, string downloadName, TimeSpan lifetime, CancellationToken cancellationToken) =>
        Task.FromResult<Uri?>(null);

    public Task<Uri> GetReadUrlAsync(string key, string downloadName, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Task.FromResult(urls.SignRead(key, expiresAt));

    public Task<BlobContent> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 0,
            });
            return Task.FromResult(new BlobContent(stream, stream.Length, File.GetLastWriteTimeUtc(path)));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NotFoundException("Blob", key);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        TryDelete(path);
        await ForgetStagedAsync(key, cancellationToken);
        if (key.StartsWith(BlobKeys.UploadsPrefix, StringComparison.Ordinal))
        {
            TryDeleteEmptyFolder(Path.GetDirectoryName(path)!);
        }
    }

    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var folderPath = FolderOf(prefix);
        if (Directory.Exists(folderPath))
        {
            Directory.Delete(folderPath, recursive: true);
        }
        await database.WriteAsync((c, tx) =>
        {
            Execute(c, tx, "DELETE FROM staged_blocks WHERE substr(key, 1, length($prefix)) = $prefix;", ("$prefix", prefix));
            return Execute(c, tx, "DELETE FROM staged_blobs WHERE substr(key, 1, length($prefix)) = $prefix;", ("$prefix", prefix));
        }, cancellationToken);
        foreach (var key in _gates.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            _gates.TryRemove(key, out _);
        }
        _hashes.ForgetPrefix(prefix);
    }

    public async IAsyncEnumerable<StoredBlob> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var folderPath = FolderOf(prefix);
        if (!Directory.Exists(folderPath))
        {
            yield break;
        }
        // A snapshot, so callers may delete what they are given while they go through it.
        var blobs = new DirectoryInfo(folderPath).EnumerateFiles("*", SearchOption.AllDirectories)
            .Select(f => new StoredBlob(prefix + Path.GetRelativePath(folderPath, f.FullName).Replace(Path.DirectorySeparatorChar, '/'), f.Length,
                new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .ToList();
        foreach (var blob in blobs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return blob;
        }
        await Task.CompletedTask;
    }

    /// <summary>Free bytes on the blob folder's file system, or null when the platform cannot say.</summary>
    private long? FreeBytes()
    {
        try
        {
            Directory.CreateDirectory(_root);
            return new DriveInfo(_root).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The file of a key, refusing anything that could leave the blob folder.</summary>
    internal string PathOf(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Contains('\\') || key.Any(char.IsControl) || key.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"'{key}' is not a blob key.", nameof(key));
        }
        var path = Path.GetFullPath(Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar)));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{key}' is not a blob key.", nameof(key));
        }
        return path;
    }

    private string FolderOf(string prefix)
    {
        if (!prefix.EndsWith('/'))
        {
            throw new ArgumentException($"'{prefix}' is not a folder prefix (it must end with '/').", nameof(prefix));
        }
        return PathOf(prefix.TrimEnd('/'));
    }

    private static async Task<byte[]> WriteAtAsync(string path, long offset, Stream content, long length, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var current = ArrayPool<byte>.Shared.Rent(BufferSize);
        var spare = ArrayPool<byte>.Shared.Rent(BufferSize);
        var pendingWrite = ValueTask.CompletedTask;
        long received = 0;
        try
        {
            // Receive the next buffer while the previous one is written: network and disk work at once.
            while (received < length)
            {
                var want = (int)Math.Min(BufferSize, length - received);
                var filled = 0;
                while (filled < want)
                {
                    var read = await content.ReadAsync(current.AsMemory(filled, want - filled), cancellationToken);
                    if (read == 0) break;
                    filled += read;
                }
                if (filled == 0) break;
                md5.AppendData(current, 0, filled);
                await pendingWrite;
                pendingWrite = RandomAccess.WriteAsync(handle, current.AsMemory(0, filled), offset + received, cancellationToken);
                received += filled;
                (current, spare) = (spare, current);
                if (filled < want) break;
            }
            await pendingWrite;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(spare);
        }
        if (received != length)
        {
            throw new ValidationException("Content-Length", $"The body ended after {received} of {length} bytes; send the chunk again.");
        }
        return md5.GetHashAndReset();
    }

    private static async Task<int> ReadAsync(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] buffer, long offset, long length, CancellationToken cancellationToken)
    {
        var want = (int)Math.Min(buffer.Length, length - offset);
        var filled = 0;
        while (filled < want)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(filled, want - filled), offset + filled, cancellationToken);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }

    private Task<StagedLayout?> ReadLayoutAsync(string key, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT size, chunk_size, chunk_count, committed FROM staged_blobs WHERE key = $key;";
            command.Parameters.AddWithValue("$key", key);
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new StagedLayout(new StagedBlob(key, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2)), reader.GetInt32(3) == 1)
                : null;
        }, cancellationToken);

    private async Task ForgetStagedAsync(string key, CancellationToken cancellationToken)
    {
        await database.WriteAsync((c, tx) =>
        {
            Execute(c, tx, "DELETE FROM staged_blocks WHERE key = $key;", ("$key", key));
            return Execute(c, tx, "DELETE FROM staged_blobs WHERE key = $key;", ("$key", key));
        }, cancellationToken);
        _gates.TryRemove(key, out _);
        _hashes.Forget(key);
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command.ExecuteScalar();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private void TryDeleteEmptyFolder(string path)
    {
        try
        {
            if (path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        catch (IOException)
        {
            // Something arrived in it meanwhile; it stays.
        }
    }

    private sealed record StagedLayout(StagedBlob Staged, bool Committed);

    private sealed class SafeFileHandleScope(Microsoft.Win32.SafeHandles.SafeFileHandle handle) : IDisposable
    {
        public Microsoft.Win32.SafeHandles.SafeFileHandle Handle { get; } = handle;

        public void Dispose() => Handle.Dispose();
    }

    /// <summary>Block writes in flight for one staged blob; a commit seals it and waits for them to finish.</summary>
    private sealed class WriteGate
    {
        private int _writers;
        private bool _sealed;
        private TaskCompletionSource? _drained;

        public void Enter()
        {
            lock (this)
            {
                if (_sealed)
                {
                    throw new ConflictException("This upload's blocks are being committed; no block can be added or replaced.");
                }
                _writers++;
            }
        }

        public void Exit()
        {
            lock (this)
            {
                if (--_writers == 0)
                {
                    _drained?.TrySetResult();
                }
            }
        }

        public Task SealAsync()
        {
            lock (this)
            {
                _sealed = true;
                if (_writers == 0)
                {
                    return Task.CompletedTask;
                }
                _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _drained.Task;
            }
        }

        public void Unseal()
        {
            lock (this)
            {
                _sealed = false;
                _drained = null;
            }
        }
    }
}
