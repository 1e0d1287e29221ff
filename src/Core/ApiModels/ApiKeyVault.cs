using System.Collections.Concurrent;
using ModelsHub.Core.GitHub;

namespace ModelsHub.Core.ApiModels;

/// <summary>
/// Provider keys through the one <see cref="ISecretProtector"/> (the GitHub tokens' Data Protection
/// setup). Decrypted keys are remembered by their ciphertext so a gateway call does not pay for the
/// decryption; a changed key has a new ciphertext, and the memory is bounded.
/// </summary>
public sealed class ApiKeyVault(ISecretProtector protector)
{
    private const int MaxRemembered = 1_000;
    private readonly ConcurrentDictionary<string, string> _revealed = new(StringComparer.Ordinal);

    public string Protect(string key) => protector.Protect(key);

    /// <summary>The key in clear, or null when it can no longer be decrypted.</summary>
    public string? Reveal(string protectedKey)
    {
        if (_revealed.TryGetValue(protectedKey, out var key))
        {
            return key;
        }
        key = protector.Unprotect(protectedKey);
        if (key is not null)
        {
            if (_revealed.Count >= MaxRemembered)
            {
                _revealed.Clear();
            }
            _revealed[protectedKey] = key;
        }
        return key;
    }

    public static string LastFour(string key) => key[^Math.Min(4, key.Length)..];
}
