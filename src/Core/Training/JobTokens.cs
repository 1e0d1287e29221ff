using System.Security.Cryptography;
using System.Text;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;

namespace ModelsHub.Core.Training;

/// <summary>
/// The job-scoped credential of the trainer contract: a random token that the job's events and
/// output URLs carry. The job keeps its SHA-256 (what a request is checked against, in constant
/// time) and the token encrypted at rest with <see cref="ISecretProtector"/>, so a trainer started
/// again for the same job (after the first is known dead) gets the same URLs. The token is worth
/// nothing once the job has ended: its routes refuse every ended job.
/// </summary>
public sealed class JobTokens(ISecretProtector protector)
{
    /// <summary>A new token for <paramref name="job"/>, set on it (hash and encrypted copy); returns the token.</summary>
    public string Issue(TrainingJob job)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        job.TokenHash = Hash(token);
        job.ProtectedToken = protector.Protect(token);
        return token;
    }

    /// <summary>The job's token, or null when it has none (or it can no longer be decrypted).</summary>
    public string? Read(TrainingJob job) => job.ProtectedToken is { } stored ? protector.Unprotect(stored) : null;

    /// <summary>Throws <see cref="ForbiddenException"/> unless <paramref name="token"/> is the job's token.</summary>
    public static void Demand(TrainingJob job, string? token)
    {
        if (string.IsNullOrEmpty(token) || job.TokenHash is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(job.TokenHash)))
        {
            throw new ForbiddenException($"This URL is not valid for training job '{job.Id}' (its token must be exactly as the hub issued it to the job's trainer).");
        }
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
