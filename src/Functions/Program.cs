using ModelsHub.Contracts;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Functions.AccessTokens;
using ModelsHub.Functions.Admin;
using ModelsHub.Functions.ApiModels;
using ModelsHub.Functions.Gateway;
using ModelsHub.Functions.Usage;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Cli;
using ModelsHub.Functions.Datasets;
using ModelsHub.Functions.Downloads;
using ModelsHub.Functions.GitHub;
using ModelsHub.Functions.Health;
using ModelsHub.Functions.Hosting;
using ModelsHub.Functions.Imports;
using ModelsHub.Functions.Models;
using ModelsHub.Functions.Problems;
using ModelsHub.Functions.Reviews;
using ModelsHub.Functions.Sync;
using ModelsHub.Functions.Training;
using ModelsHub.Functions.Triggers;
using ModelsHub.Functions.Uploads;
using ModelsHub.Functions.Users;
using ModelsHub.Functions.Versions;
using ModelsHub.Functions.Webhooks;
using ModelsHub.Functions.Workflows;
using ModelsHub.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.ConfigureHubHosting();
builder.Services.ConfigureHttpJsonOptions(o => ContractJson.Configure(o.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddHubInfrastructure(builder.Configuration, builder.Environment);
builder.Services.AddHubCore();
builder.Services.AddHubAuthentication(builder.Configuration);
builder.Services.AddHubCors(builder.Configuration);
builder.Services.AddHubRateLimits(builder.Configuration);
builder.Services.AddHubProblemDetails();
builder.Services.AddHubOpenApi();
builder.Services.AddHubTriggers(builder.Configuration);
builder.Services.AddHubWorkflows(builder.Configuration);
builder.Services.AddHubUploads(builder.Configuration);
builder.Services.AddHubSync(builder.Configuration);
builder.Services.AddHubWebhooks(builder.Environment);
builder.Services.AddHubDatasets();
builder.Services.AddHubApiModels(builder.Configuration);
builder.Services.AddHubImports();
builder.Services.AddHubTraining(builder.Configuration);

var app = builder.Build();

if (HubCommands.TryGet(args) is { } command)
{
    return await command.RunAsync(app.Services, args);
}

app.UseHubSecurityHeaders();
app.UseHubProblemDetails();
app.UseHubCacheRules();
app.UseHubCors();
app.UseAuthentication();
app.UseCallerResolution();
app.UseHubRateLimits();
app.UseAccessTokenScopes();
app.UseAuthorization();
app.MapHubOpenApi();

var api = app.MapGroup("/api").RequireHubCors().WithHubRateLimits();
api.MapHealthApi();
api.MapDownloadApi();
api.MapModelsApi();
api.MapMeApi();
api.MapUsersApi();
api.MapAdminApi();
api.MapSyncApi();
api.MapReviewsApi();
api.MapWorkflowsApi();
api.MapUserTokenApi();
api.MapDevTokenApi(app.Logger);
api.MapDatasetsApi();
foreach (var kind in Enum.GetValues<AssetKind>())
{
    api.MapVersionsApi(kind);
    api.MapUploadsApi(kind);
}
api.MapQuotasApi();
api.MapBlobMirrorApi();
api.MapWebhooksApi();
api.MapGitHubWebhookApi();
api.MapApiModelsApi();
api.MapAccessTokensApi();
api.MapGatewayApi();
api.MapUsageApi();
api.MapAiModelsApi();
api.MapImportsApi();
api.MapTrainingApi();
app.MapTriggers();

await app.RunAsync();
return 0;

public partial class Program;
