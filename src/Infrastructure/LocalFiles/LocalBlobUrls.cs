using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.Infrastructure.LocalFiles;

/// <summary>
/// The embedded profile's stand-in for a SAS: a hub URL for one blob that carries its own permission
/// and expiry, signed with a key kept in the data folder. A client PUTs chunks to a staged upload's
/// URL (<c>sp=rw</c>), or reads a published file from a read link (<c>sp=r</c>), with no other
/// credential, exactly as it would with a Blob Storage SAS URL.
/// </summary>
public sealed class LocalBlobUrls
{
    /// <summary>Where the hub serves the blob mirror (the route lives in the API).</summary>
    public const string RoutePrefix = "/api/blobs/";

    private const string Version = "hub1";
    private const string WritePermission = "rw";
    public const string ReadPermission = "r";

    private readonly byte[] _key;
    private readonly TimeProvider _clock;

    public LocalBlobUrls(IOptions<EmbeddedStorageOptions> options, TimeProvider clock)
    {
        _clock = clock;
        _key = LoadOrCreateKey(Path.Combine(options.Value.ResolvedDataDirectory, "blob-url-key"));
    }

    /// <summary>An upload target: read and write (stage and commit blocks).</summary>
    public Uri Sign(string key, DateTimeOffset expiresAt) => Sign(key, WritePermission, expiresAt);

    /// <summary>A read link: the blob's bytes only.</summary>
    public Uri SignRead(string key, DateTimeOffset expiresAt) => Sign(key, ReadPermission, expiresAt);

    private Uri Sign(string key, string permission, DateTimeOffset expiresAt)
    {
        var se = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var path = RoutePrefix + string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
        return new Uri($"{path}?sv={Version}&sp={permission}&se={se}&sig={Signature(key, permission, se)}", UriKind.Relative);
    }

    /// <summary>
    /// Throws <see cref="ForbiddenException"/> unless the parameters are a valid, unexpired signature for
    /// <paramref name="key"/> that grants writing (<paramref name="write"/>) or reading.
    /// </summary>
    public void Authorize(string key, string? permission, string? expiry, string? signature, bool write = true)
    {
        var granted = write ? permission is WritePermission : permission is WritePermission or ReadPermission;
        if (!granted || permission is null || expiry is null || signature is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Signature(key, permission, expiry)), Encoding.ASCII.GetBytes(signature)))
        {
            throw new ForbiddenException("This URL is not valid for this blob (sp, se and sig must be exactly as the hub issued them).");
        }
        if (!long.TryParse(expiry, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || DateTimeOffset.FromUnixTimeSeconds(seconds) <= _clock.GetUtcNow())
        {
            throw new ForbiddenException(write
                ? "This upload URL has expired; read the upload (GET …/uploads/{id}) for a fresh one."
                : "This read link has expired; ask the hub for a fresh one.");
        }
    }

    private string Signature(string key, string permission, string expiry)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{Version}\n{key}\n{permission}\n{expiry}"));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static byte[] LoadOrCreateKey(string path)
    {
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}";
        File.WriteAllText(temporary, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        try
        {
            // Another process may have created it meanwhile: the first one written wins.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }
}
