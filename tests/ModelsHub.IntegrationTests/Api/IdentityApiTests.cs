using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using ModelsHub.Contracts.Auth;
using ModelsHub.Contracts.Users;
using ModelsHub.Core.Identity;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Users;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

public class IdentityApiTests : IDisposable
{
    private readonly HubApplication _app;

    public IdentityApiTests() : this(new HubApplication()) { }

    /// <summary>The same tests against another configuration of the hub (the Azure profile's subclass).</summary>
    protected IdentityApiTests(HubApplication app) => _app = app;

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task TheDevelopmentTokenEndpointMintsUsableTokens()
    {
        var anonymous = _app.ClientFor(null);
        var minted = await (await anonymous.PostAsJsonAsync("/api/dev/token", new { user = "dora", roles = new[] { "maintainer" }, name = "Dora D." }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.OK)).ReadAsync<DevTokenResponse>();
        Assert.Equal("Bearer", minted.TokenType);

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", minted.AccessToken);
        var me = await (await anonymous.GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK)).ReadAsync<MeDto>();
        Assert.Equal("dora", me.Id);
        Assert.Equal("Dora D.", me.DisplayName);
        Assert.Equal(["maintainer"], me.Roles);
        Assert.Contains(Permissions.RegisterPublicModels, me.Permissions);
        Assert.DoesNotContain(Permissions.DecideReviews, me.Permissions);
    }

    [Fact]
    public async Task ATamperedOrForeignTokenIsRejected()
    {
        var client = _app.CreateClient();
        var token = _app.TokenFor("mallory", "admin");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token[..^4] + "AAAA");
        await client.GetAsync("/api/me").ExpectAsync(HttpStatusCode.Unauthorized);

        var foreignKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        var foreign = new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken("https://modelshub.local/dev", "modelshub-api",
            [new Claim("sub", "mallory"), new Claim("roles", "admin")], expires: DateTime.UtcNow.AddHours(1),
            signingCredentials: new SigningCredentials(foreignKey, SecurityAlgorithms.HmacSha256)));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", foreign);
        await client.GetAsync("/api/me").ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheProfileIsCreatedOnFirstCallAndCanBeEdited()
    {
        var ursula = _app.ClientFor("ursula", "user");
        var me = await (await ursula.GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK)).ReadAsync<MeDto>();
        Assert.Equal("ursula", me.DisplayName);

        var updated = await (await ursula.SendJsonAsync(HttpMethod.Patch, "/api/me", new { displayName = "Ursula U.", email = "u@example.com", avatarUrl = "https://example.com/u.png" })
            .ExpectAsync(HttpStatusCode.OK)).ReadAsync<MeDto>();
        Assert.Equal(("Ursula U.", "u@example.com", "https://example.com/u.png"), (updated.DisplayName, updated.Email, updated.AvatarUrl));

        var problem = await (await ursula.SendJsonAsync(HttpMethod.Patch, "/api/me", new { email = "nope", avatarUrl = "ftp://x" })
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("avatarUrl", out _));

        var cleared = await (await ursula.SendJsonAsync(HttpMethod.Patch, "/api/me", new { email = (string?)null })).ReadAsync<MeDto>();
        Assert.Null(cleared.Email);
        Assert.Equal("Ursula U.", cleared.DisplayName);
    }

    [Fact]
    public async Task AdminsGrantAndRevokePermissionsWithImmediateEffect()
    {
        var ursula = _app.ClientFor("ursula", "user");
        var admin = _app.ClientFor("ada", "admin");
        await ursula.GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK);
        // Without the permission a public registration waits for review; with it, it is registered at once.
        await ursula.PostAsJsonAsync("/api/models", Samples.Model("granted-public", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted);
        await admin.GetAsync("/api/models/granted-public").ExpectAsync(HttpStatusCode.NotFound);

        var granted = await (await admin.PutAsync($"/api/users/ursula/permissions/{Permissions.RegisterPublicModels}", null).ExpectAsync(HttpStatusCode.OK)).ReadAsync<UserDto>();
        Assert.Contains(Permissions.RegisterPublicModels, granted.EffectivePermissions);
        await ursula.PostAsJsonAsync("/api/models", Samples.Model("granted-public", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        await admin.DeleteAsync($"/api/users/ursula/permissions/{Permissions.RegisterPrivateModels}").ExpectAsync(HttpStatusCode.OK);
        await ursula.PostAsJsonAsync("/api/models", Samples.Model("revoked-private"), HubApplication.Json).ExpectAsync(HttpStatusCode.Forbidden);

        var view = await admin.GetFromJsonAsync<UserDto>("/api/users/ursula/permissions", HubApplication.Json);
        Assert.Equal([Permissions.RegisterPublicModels], view!.GrantedPermissions);
        Assert.Equal([Permissions.RegisterPrivateModels], view.RevokedPermissions);

        await ursula.GetAsync("/api/users").ExpectAsync(HttpStatusCode.Forbidden);
        await _app.ClientFor(null).GetAsync("/api/users").ExpectAsync(HttpStatusCode.Unauthorized);
        var list = await admin.GetFromJsonAsync<UserListResponse>("/api/users", HubApplication.Json);
        Assert.Contains(list!.Items, u => u.Id == "ursula");
    }

    [Fact]
    public async Task AnAdminRevokesFromAUserWhoNeverOpenedTheUserCenterAndGrantingAgainReturnsToTheRole()
    {
        var admin = _app.ClientFor("ada", "admin");
        var mia = _app.ClientFor("mia", "maintainer");
        var permission = Permissions.RegisterPublicModels;

        // Mia only uses the API (never GET /api/me): the revocation is stored anyway and holds on her next request.
        var revoked = await (await admin.DeleteAsync($"/api/users/mia/permissions/{permission}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<UserDto>();
        Assert.Equal([permission], revoked.RevokedPermissions);
        await mia.PostAsJsonAsync("/api/models", Samples.Model("mia-public", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted);

        // Her request showed her roles; granting back what the role gives clears the revocation and adds no grant.
        var restored = await (await admin.PutAsync($"/api/users/mia/permissions/{permission}", null).ExpectAsync(HttpStatusCode.OK)).ReadAsync<UserDto>();
        Assert.Empty(restored.RevokedPermissions);
        Assert.Empty(restored.GrantedPermissions);
        Assert.Equal(["maintainer"], restored.Roles);
        Assert.Contains(permission, restored.EffectivePermissions);
        await mia.PostAsJsonAsync("/api/models", Samples.Model("mia-public-2", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        // A grant of what no role gives is explicit; clearing the override (either kind) returns to "from the roles".
        var granted = await (await admin.PutAsync($"/api/users/mia/permissions/{Permissions.DecideReviews}", null).ExpectAsync(HttpStatusCode.OK)).ReadAsync<UserDto>();
        Assert.Equal([Permissions.DecideReviews], granted.GrantedPermissions);
        await admin.DeleteAsync($"/api/users/mia/permissions/{permission}").ExpectAsync(HttpStatusCode.OK);
        await admin.DeleteAsync($"/api/users/mia/overrides/{Permissions.DecideReviews}").ExpectAsync(HttpStatusCode.OK);
        var cleared = await (await admin.DeleteAsync($"/api/users/mia/overrides/{permission}").ExpectAsync(HttpStatusCode.OK)).ReadAsync<UserDto>();
        Assert.Empty(cleared.GrantedPermissions);
        Assert.Empty(cleared.RevokedPermissions);
        Assert.DoesNotContain(Permissions.DecideReviews, cleared.EffectivePermissions);

        // The user center still greets her with her own profile, filled in from her token.
        var me = await (await mia.GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK)).ReadAsync<MeDto>();
        Assert.Equal("mia", me.Id);
        Assert.Contains(permission, me.Permissions);

        // Overrides for someone who never signed in at all are stored too; unknown permissions and bad ids are refused.
        await admin.DeleteAsync($"/api/users/00000000-0000-0000-0000-00000000beef/permissions/{permission}").ExpectAsync(HttpStatusCode.OK);
        await admin.GetAsync("/api/users/00000000-0000-0000-0000-00000000beef/permissions").ExpectAsync(HttpStatusCode.OK);
        await admin.DeleteAsync("/api/users/mia/overrides/no.such.permission").ExpectAsync(HttpStatusCode.BadRequest);
        await admin.PutAsync($"/api/users/{new string('x', 300)}/permissions/{permission}", null).ExpectAsync(HttpStatusCode.BadRequest);
        await mia.DeleteAsync($"/api/users/mia/overrides/{permission}").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ThePermissionCatalogListsRolesAndPermissions()
    {
        var catalog = await _app.ClientFor(null).GetFromJsonAsync<PermissionCatalog>("/api/permissions", HubApplication.Json);
        Assert.Equal(Permissions.All, catalog!.Permissions);
        Assert.Contains(Permissions.DecideReviews, catalog.Roles["reviewer"]);
        // Datasets: the trainer role and administrators may create them; every permission says what it allows.
        Assert.Contains(Permissions.ManageDatasets, catalog.Roles["trainer"]);
        Assert.Contains(Permissions.ManageDatasets, catalog.Roles["admin"]);
        Assert.DoesNotContain(Permissions.ManageDatasets, catalog.Roles["user"]);
        Assert.Equal(Permissions.All.Order(), catalog.Descriptions!.Keys.Order());
        Assert.Contains("Create datasets", catalog.Descriptions[Permissions.ManageDatasets]);
    }
}

/// <summary>Production sign-in: Entra ID tokens validated by Microsoft.Identity.Web, offline against a static configuration.</summary>
public sealed class EntraSignInTests : IDisposable
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "api://modelshub-tests";
    private static readonly string Issuer = $"https://login.microsoftonline.com/{Tenant}/v2.0";
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "entra-test-key" };
    private readonly EntraApplication _app;

    public EntraSignInTests() => _app = new EntraApplication(_key);

    public void Dispose() => _app.Dispose();

    private sealed class EntraApplication : HubApplication
    {
        private readonly RsaSecurityKey _key;

        public EntraApplication(RsaSecurityKey key)
        {
            _key = key;
            With("Auth:Mode", "Entra");
            With("AzureAd:Instance", "https://login.microsoftonline.com/");
            With("AzureAd:TenantId", Tenant);
            With("AzureAd:ClientId", ClientId);
            With("AzureAd:Audience", ClientId);
        }

        protected override void ConfigureTestServices(IServiceCollection services) =>
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
            {
                // Entra metadata publishes the issuer as a template; the AAD issuer validator fills in the token's tid.
                var configuration = new OpenIdConnectConfiguration { Issuer = "https://login.microsoftonline.com/{tenantid}/v2.0" };
                configuration.SigningKeys.Add(_key);
                o.Configuration = configuration;
                o.ConfigurationManager = new Microsoft.IdentityModel.Protocols.StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
                // The AAD issuer validator accepts a tenant template without fetching metadata.
                o.TokenValidationParameters.ValidIssuer = configuration.Issuer;
            });
    }

    private string Token(string oid, params string[] roles)
    {
        var claims = new List<Claim> { new("oid", oid), new("sub", "pairwise-" + oid), new("name", "Entra " + oid), new("tid", Tenant), new("ver", "2.0") };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        return new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(Issuer, ClientId, claims, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddHours(1),
            new SigningCredentials(_key, SecurityAlgorithms.RsaSha256)));
    }

    [Fact]
    public async Task AnEntraTokenSignsInWithItsObjectIdAndAppRoles()
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("0000-aaaa", "reviewer"));
        var me = await (await client.GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK)).ReadAsync<MeDto>();
        Assert.Equal("0000-aaaa", me.Id);
        Assert.Equal("Entra 0000-aaaa", me.DisplayName);
        Assert.Contains(Permissions.DecideReviews, me.Permissions);
    }

    [Fact]
    public async Task TheDevelopmentTokenEndpointDoesNotExist()
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/dev/token", new { user = "x" }).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
