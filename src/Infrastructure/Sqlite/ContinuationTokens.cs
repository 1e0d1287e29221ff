using System.Buffers.Text;
using System.Text.Json;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// Keyset continuation tokens: the last row's sort key and id plus a fingerprint of the query,
/// so a token from another query, or a tampered one, is a 400 rather than a wrong page.
/// </summary>
internal static class ContinuationTokens
{
    internal sealed record Keyset(string Q, string Id, long? N = null);

    public static string Encode(string fingerprint, string id, long? number = null) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Keyset(fingerprint, id, number)));

    public static Keyset? Decode(string? token, string fingerprint)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        Keyset? keyset = null;
        try
        {
            keyset = token.Length <= 2048 ? JsonSerializer.Deserialize<Keyset>(Base64Url.DecodeFromChars(token)) : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
        }
        if (keyset is null || keyset.Id is null || keyset.Q != fingerprint)
        {
            throw new ValidationException("continuationToken", "Is not a token this listing issued; start again without it.");
        }
        return keyset;
    }
}
