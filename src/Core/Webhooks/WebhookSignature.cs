using System.Security.Cryptography;
using System.Text;

namespace ModelsHub.Core.Webhooks;

/// <summary>
/// Signatures in the Standard Webhooks format: HMAC-SHA256 with the webhook's secret over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, sent as <c>webhook-signature: v1,{base64}</c> beside
/// <c>webhook-id</c> (the event's id, the same on every try) and <c>webhook-timestamp</c> (Unix seconds of
/// this try). A receiver recomputes it over the raw body and refuses timestamps outside its replay window.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    /// <summary>The hub's own header: which delivery this is (a redelivery has a new one, the same webhook-id).</summary>
    public const string DeliveryHeader = "webhook-delivery";

    public const string SecretPrefix = "whsec_";
    public const int MinSecretLength = 16;
    public const int MaxSecretLength = 256;

    /// <summary>A new secret: <c>whsec_</c> and 32 random bytes in base64.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>What is wrong with a secret a user chose, or null.</summary>
    public static string? Check(string secret)
    {
        if (secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return TryKey(secret, out var key) && key.Length is >= 24 and <= 64
                ? null
                : $"A '{SecretPrefix}' secret must be followed by 24 to 64 bytes in base64.";
        }
        return secret.Length is < MinSecretLength or > MaxSecretLength || secret.Any(char.IsControl)
            ? $"Must be {MinSecretLength} to {MaxSecretLength} printable characters (or '{SecretPrefix}' and base64)."
            : null;
    }

    /// <summary>The HMAC key of a secret: the bytes after <c>whsec_</c>, else the secret's UTF-8 bytes.</summary>
    public static byte[] Key(string secret) => TryKey(secret, out var key) ? key : Encoding.UTF8.GetBytes(secret);

    /// <summary>The <c>webhook-signature</c> value for this message.</summary>
    public static string Sign(string secret, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret), content));
    }

    private static bool TryKey(string secret, out byte[] key)
    {
        key = [];
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var buffer = new byte[secret.Length];
        if (!Convert.TryFromBase64String(secret[SecretPrefix.Length..], buffer, out var written))
        {
            return false;
        }
        key = buffer[..written];
        return true;
    }
}
