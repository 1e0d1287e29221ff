using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.Infrastructure.LocalFiles;

/// <summary>The embedded profile's blob folder; ready when a file can be written and renamed in it.</summary>
public sealed class LocalBlobFolder(IOptions<EmbeddedStorageOptions> options) : IReadinessCheck
{
    public string Root { get; } = options.Value.BlobDirectory;

    public string Name => "blobs";

    public Task CheckAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);
        var probe = Path.Combine(Root, $".ready-{Guid.NewGuid():N}");
        File.WriteAllText(probe, "");
        File.Move(probe, probe + ".moved");
        File.Delete(probe + ".moved");
        return Task.CompletedTask;
    }
}
