using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;
using ModelsHub.Web.Services;
using ModelsHub.Web.Services.Api;
using ModelsHub.Web.Services.Auth;
using ModelsHub.Web.Services.Localization;
using ModelsHub.Web.Services.Uploads;

namespace ModelsHub.WebTests;

/// <summary>
/// A bUnit context with the app's services over a <see cref="FakeHub"/>: the component library, texts in a chosen
/// language, the typed API services and, when asked, a signed-in user whose <c>/api/me</c> the fake answers.
/// </summary>
public abstract class WebTestContext : BunitContext
{
    protected FakeHub Hub { get; } = new();

    protected Loc Texts { get; }

    protected BunitAuthorizationContext Auth { get; }

    protected WebTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddFluentUIComponents();
        Services.AddSingleton(new Microsoft.AspNetCore.Components.WebAssembly.Services.LazyAssemblyLoader(JSInterop.JSRuntime));
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(new ClientConfigResponse("development", null));
        Services.AddSingleton<BrowserStorage>();
        Services.AddSingleton<Loc>();
        var api = new ApiClient(new HttpClient(Hub) { BaseAddress = new Uri("http://hub.test/") });
        Services.AddSingleton(api);
        Services.AddSingleton<ITokenSource>(new NoToken());
        Services.AddScoped<CurrentUser>();
        Services.AddScoped<ModelsService>();
        Services.AddScoped<VersionsService>();
        Services.AddScoped<UploadsService>();
        Services.AddScoped<DatasetsService>();
        Services.AddScoped<AccessTokensService>();
        Services.AddScoped<AiModelsService>();
        Services.AddScoped<ServersService>();
        Services.AddScoped<DeploymentsService>();
        Services.AddScoped<TrainingService>();
        Services.AddScoped<ImportsService>();
        Services.AddScoped<ReviewsService>();
        Services.AddScoped<UsersService>();
        Services.AddScoped<OperationsService>();
        Services.AddScoped<IChunkSender>(_ => new RecordingChunkSender());
        Services.AddScoped<ChunkedUpload>();
        Auth = AddAuthorization();
        Texts = Services.GetRequiredService<Loc>();
        Texts.Use(Loc.English);
    }

    /// <summary>Signs in <paramref name="user"/> holding <paramref name="permissions"/> (what <c>/api/me</c> answers).</summary>
    protected void SignIn(string user, params string[] permissions)
    {
        Auth.SetAuthorized(user);
        var perms = string.Join(",", permissions.Append(Permissions.RegisterPrivateModels).Distinct().Select(p => $"\"{p}\""));
        Hub.On(HttpMethod.Get, "/api/me", System.Net.HttpStatusCode.OK,
            $$"""{"id":"{{user}}","displayName":"{{user}}","email":null,"avatarUrl":null,"roles":["user"],"permissions":[{{perms}}],"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}""");
    }

    private sealed class NoToken : ITokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(null);
    }
}

/// <summary>Chunks "sent" to a target, by URL and byte range; answers a status per call (200 unless told otherwise).</summary>
public sealed class RecordingChunkSender : IChunkSender
{
    public List<(string Url, long Start, long End)> Sent { get; } = [];

    public Func<string, int> Status { get; set; } = _ => 200;

    public Task<int> PutAsync(string fileKey, string url, long start, long end)
    {
        lock (Sent) Sent.Add((url, start, end));
        return Task.FromResult(Status(url));
    }
}
