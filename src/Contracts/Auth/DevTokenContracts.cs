namespace ModelsHub.Contracts.Auth;

/// <summary><c>POST /api/dev/token</c> (development sign-in only): a user and their roles.</summary>
public sealed record DevTokenRequest(string User, IReadOnlyList<string>? Roles, string? Name, string? Email);

public sealed record DevTokenResponse(string AccessToken, string TokenType, int ExpiresIn, string User, IReadOnlyList<string> Roles);
