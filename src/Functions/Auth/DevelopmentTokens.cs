using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ModelsHub.Functions.Auth;

/// <summary>
/// The development stand-in for Entra ID: one HMAC key that both mints and validates tokens.
/// Only registered when <c>Auth:Mode</c> is Development.
/// </summary>
public sealed class DevelopmentTokens
{
    private readonly DevelopmentAuthOptions _options;
    private readonly TimeProvider _clock;

    public DevelopmentTokens(IOptions<AuthOptions> options, IHostEnvironment environment, TimeProvider clock)
    {
        _options = options.Value.Development;
        _clock = clock;
        Key = new SymmetricSecurityKey(LoadKey(_options, environment.ContentRootPath)) { KeyId = "modelshub-dev" };
    }

    public SymmetricSecurityKey Key { get; }

    public string Issuer => _options.Issuer;

    public string Audience => _options.Audience;

    public TimeSpan Lifetime => TimeSpan.FromMinutes(_options.TokenLifetimeMinutes);

    public string Mint(string user, IEnumerable<string> roles, string? displayName = null, string? email = null)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var claims = new List<Claim> { new("sub", user), new("name", displayName ?? user) };
        if (email is not null) claims.Add(new Claim("email", email));
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = Key,
        NameClaimType = "name",
        RoleClaimType = "roles",
        ClockSkew = TimeSpan.FromMinutes(1),
    };

    private static byte[] LoadKey(DevelopmentAuthOptions options, string contentRoot)
    {
        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            return Convert.FromBase64String(options.SigningKey);
        }
        var path = Path.GetFullPath(options.SigningKeyFile, contentRoot);
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        // Kept on disk so tokens minted before a restart stay valid during development.
        var key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Convert.ToBase64String(key));
        return key;
    }
}
