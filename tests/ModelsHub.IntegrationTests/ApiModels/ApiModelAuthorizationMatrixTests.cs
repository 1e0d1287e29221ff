using System.Net;
using System.Net.Http.Json;
using System.Text;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.ApiModels;

/// <summary>
/// Caller × model for every model-scoped route of API models, usage and seed 004's surface: a private
/// API model of carol's, a public one and an advanced one of olivia's (an admin), all with providers.
/// </summary>
public sealed class ApiModelAuthorizationMatrixTests : IAsyncLifetime
{
    /// <summary>The routes this matrix covers (the authorization matrix checks every mapped route has a row somewhere).</summary>
    public static readonly string[] Routes =
    [
        "GET /api/models/{name}/provider", "PUT /api/models/{name}/provider", "POST /api/models/{name}/provider/verify",
        "POST /api/models/{name}/test", "POST /api/models/{name}/toggle-status",
        "GET /api/models/{name}/usage", "GET /api/models/{name}/usage/calls",
        "GET /api/v1/ai-models/{model_id}", "POST /api/v1/ai-models/{model_id}/test", "POST /api/v1/ai-models/{model_id}/toggle-status",
    ];

    private static readonly (string Name, string? User, string[] Roles)[] Callers =
    [
        ("anonymous", null, []),
        ("user", "ursula", ["user"]),
        ("owner", "carol", ["user"]),
        ("maintainer", "max", ["maintainer"]),
        ("reviewer", "rita", ["reviewer"]),
        ("admin", "ada", ["admin"]),
    ];

    private ApiModelHub _hub = null!;
    private readonly string[] _models = ["am-private", "am-public", "am-advanced"];

    public async Task InitializeAsync()
    {
        _hub = await ApiModelHub.StartAsync();
        var olivia = _hub.App.ClientFor("olivia", "admin");
        await _hub.App.ClientFor("carol", "user").PostAsJsonAsync("/api/models", new { name = _models[0], type = "llm", source = "openai" }).ExpectAsync(HttpStatusCode.Created);
        await olivia.SendJsonAsync(HttpMethod.Put, $"/api/models/{_models[0]}/provider",
            new { endpoint = _hub.OpenAi.BaseUrl.ToString(), modelId = "gpt-4o", apiKey = ApiModelHub.OpenAiKey }).ExpectAsync(HttpStatusCode.OK);
        await _hub.RegisterOpenAiAsync(olivia, _models[1], visibility: "public");
        await olivia.PostAsJsonAsync("/api/models", new { name = _models[2], type = "llm", source = "openai", visibility = "public", tier = "advanced" })
            .ExpectAsync(HttpStatusCode.Created);
        await olivia.SendJsonAsync(HttpMethod.Put, $"/api/models/{_models[2]}/provider",
            new { endpoint = _hub.OpenAi.BaseUrl.ToString(), modelId = "gpt-4o", apiKey = ApiModelHub.OpenAiKey }).ExpectAsync(HttpStatusCode.OK);
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    // Per caller (anonymous, user, owner, maintainer, reviewer, admin) × [private of carol's, public, advanced].
    private static readonly int[][] Read = [[401, 401, 401], [404, 200, 404], [200, 200, 404], [404, 200, 404], [404, 200, 200], [200, 200, 200]];
    private static readonly int[][] AnonymousRead = [[404, 200, 404], [404, 200, 404], [200, 200, 404], [404, 200, 404], [404, 200, 200], [200, 200, 200]];
    // A provider needs sources.manage on top of the right to change the model: only the admin has it.
    private static readonly int[][] Provider = [[401, 401, 401], [404, 403, 404], [403, 403, 404], [404, 403, 404], [404, 403, 403], [200, 200, 200]];
    private static readonly int[][] Toggle = [[401, 401, 401], [404, 403, 404], [200, 403, 404], [404, 200, 404], [404, 403, 403], [200, 200, 200]];
    // Others' calls: those who manage the model, and holders of usage.view.
    private static readonly int[][] Calls = [[401, 401, 401], [404, 403, 404], [200, 403, 404], [404, 200, 404], [404, 403, 403], [200, 200, 200]];

    [Fact]
    public async Task EveryModelScopedRouteHasTheExactStatusPerCallerAndModel()
    {
        var failures = new StringBuilder();
        var cells = 0;
        for (var c = 0; c < Callers.Length; c++)
        {
            var (caller, user, roles) = Callers[c];
            var client = _hub.App.ClientFor(user, roles);
            for (var m = 0; m < _models.Length; m++)
            {
                var name = _models[m];
                async Task Check(string route, int expected, Func<Task<HttpResponseMessage>> send, bool toggleBack = false)
                {
                    cells++;
                    var response = await send();
                    if ((int)response.StatusCode != expected)
                    {
                        failures.AppendLine($"{route} × {caller} × {name}: expected {expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                    if (toggleBack && response.StatusCode == HttpStatusCode.OK)
                    {
                        await send();
                    }
                }
                var prompt = new { input_data = new { prompt = "matrix" } };
                await Check(Routes[0], Read[c][m], () => client.GetAsync($"/api/models/{name}/provider"));
                await Check(Routes[1], Provider[c][m], () => client.SendJsonAsync(HttpMethod.Put, $"/api/models/{name}/provider", new { version = "v-" + caller }));
                await Check(Routes[2], Provider[c][m], () => client.PostAsync($"/api/models/{name}/provider/verify", null));
                await Check(Routes[3], Read[c][m], () => client.PostAsJsonAsync($"/api/models/{name}/test", prompt));
                await Check(Routes[4], Toggle[c][m], () => client.PostAsync($"/api/models/{name}/toggle-status", null), toggleBack: true);
                await Check(Routes[5], Read[c][m], () => client.GetAsync($"/api/models/{name}/usage"));
                await Check(Routes[6], Calls[c][m], () => client.GetAsync($"/api/models/{name}/usage/calls"));
                await Check(Routes[7], AnonymousRead[c][m], () => client.GetAsync($"/api/v1/ai-models/{name}"));
                await Check(Routes[8], Read[c][m], () => client.PostAsJsonAsync($"/api/v1/ai-models/{name}/test", prompt));
                await Check(Routes[9], Toggle[c][m], () => client.PostAsync($"/api/v1/ai-models/{name}/toggle-status", null), toggleBack: true);
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
        Assert.Equal(Callers.Length * _models.Length * Routes.Length, cells);
    }

    [Fact]
    public async Task ByUserNeedsToManageTheModelOrUsageView()
    {
        await _hub.App.ClientFor("ursula", "user").GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK);
        await _hub.App.ClientFor("ursula", "user").GetAsync($"/api/models/{_models[1]}/usage?by=user").ExpectAsync(HttpStatusCode.Forbidden);
        await _hub.App.ClientFor("ursula", "user").GetAsync($"/api/models/{_models[1]}/usage?by=version").ExpectAsync(HttpStatusCode.OK);
        await _hub.App.ClientFor("max", "maintainer").GetAsync($"/api/models/{_models[1]}/usage?by=user").ExpectAsync(HttpStatusCode.OK);
        await _hub.App.ClientFor("ada", "admin").PutAsync("/api/users/ursula/permissions/usage.view", null).ExpectAsync(HttpStatusCode.OK);
        await _hub.App.ClientFor("ursula", "user").GetAsync($"/api/models/{_models[1]}/usage?by=user").ExpectAsync(HttpStatusCode.OK);
    }
}
