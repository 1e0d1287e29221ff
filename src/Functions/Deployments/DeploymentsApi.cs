using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Contracts.ApiModels;
using ModelsHub.Core.Common;
using ModelsHub.Core.Deployments;
using ModelsHub.Core.Inference;
using ModelsHub.Core.Servers;
using ModelsHub.Core.Usage;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.ApiModels;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Servers;

namespace ModelsHub.Functions.Deployments;

/// <summary>Deployments of hub models on inference servers: deploy, follow, stop, start, delete, monitoring.</summary>
public static class DeploymentsApi
{
    public static RouteGroupBuilder MapDeploymentsApi(this RouteGroupBuilder api)
    {
        var deployments = api.MapGroup("/deployments").WithTags("Deployments");
        deployments.MapGet("/", ListDeployments).WithName("ListDeployments")
            .WithSummary("The deployments you may see, newest first; filters model, server, state; pageSize 1-100, continuationToken.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        deployments.MapPost("/", CreateDeployment).WithName("CreateDeployment")
            .WithSummary("Deploy a model (version) on an inference server: 202; the hub registers the model there when needed, launches it and follows it to running or failed (deployments.manage, or the model's owner).")
            .Accepts<DeploymentRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        deployments.MapGet("/{id}", GetDeployment).WithName("GetDeployment")
            .WithSummary("A deployment: its settings, state with history, progress, the server's reason when it failed, and its workflow.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        deployments.MapPost("/{id}/stop", StopDeployment).WithName("StopDeployment")
            .WithSummary("Stop the deployment's model on its server: 202, stopping → stopped.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        deployments.MapPost("/{id}/start", StartDeployment).WithName("StartDeployment")
            .WithSummary("Launch a stopped or failed deployment again with the same settings: 202.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        deployments.MapDelete("/{id}", DeleteDeployment).WithName("DeleteDeployment")
            .WithSummary("Stop and forget a deployment: 204 when it was stopped (or with force=true, without touching the server), else 202 while it stops.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        deployments.MapGet("/{id}/metrics", GetDeploymentMetrics).WithName("GetDeploymentMetrics")
            .WithSummary("A deployment's monitoring over from..to: its state changes, its server's CPU, memory, GPU and VRAM series, and its calls (count, latency percentiles, throughput).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        deployments.MapPost("/{id}/test", TestDeployment).WithName("TestDeployment")
            .WithSummary("Call a running deployment once, as a model's test, with {\"input_data\": {prompt | messages, max_tokens?, temperature?}}: output, tokens, latency (embedding deployments: the vector); recorded in usage under the deployment.")
            .Accepts<ModelsHub.Contracts.ApiModels.TestRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return api;
    }

    public static async Task<Ok<TestResultDto>> TestDeployment(string id, HttpContext context, DeploymentService deployments, ModelInvoker invoker,
        CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated) throw new AuthenticationRequiredException("Sign in, or send a personal access token, to call a deployment.");
        var deployment = await deployments.VisibleAsync(caller, id, cancellationToken);
        return TypedResults.Ok(await ApiModelsApi.RunTestAsync(caller, deployment.Id, deployment.ModelType, context, invoker, cancellationToken));
    }

    public static async Task<Ok<DeploymentListResponse>> ListDeployments(HttpContext context, DeploymentService deployments, InferenceServers servers,
        CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated) throw new AuthenticationRequiredException("Sign in to see deployments.");
        var q = new QueryReader(context.Request.Query);
        var query = new DeploymentQuery(q.String("model", 200), q.String("server", 200), q.Enum<DeploymentState>("state"), q.PageSize(), q.ContinuationToken());
        q.Errors.ThrowIfAny();
        var page = await deployments.ListAsync(caller, query, cancellationToken);
        var urls = await ServerUrlsAsync(servers, page.Items.Select(v => v.Deployment.Server), cancellationToken);
        return TypedResults.Ok(new DeploymentListResponse(page.Items.Select(v => v.ToDto(urls.GetValueOrDefault(v.Deployment.Server))).ToList(), page.ContinuationToken));
    }

    public static async Task<Accepted<DeploymentDto>> CreateDeployment(HttpContext context, DeploymentService deployments, InferenceServers servers,
        CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated) throw new AuthenticationRequiredException("Sign in to deploy a model.");
        var input = DeploymentInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var view = await deployments.CreateAsync(caller, input, cancellationToken);
        return TypedResults.Accepted($"/api/deployments/{view.Deployment.Id}", await ToDtoAsync(view, servers, cancellationToken));
    }

    public static async Task<Ok<DeploymentDto>> GetDeployment(string id, HttpContext context, DeploymentService deployments, InferenceServers servers,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await ToDtoAsync(await deployments.GetAsync(context.GetCaller(), id, cancellationToken), servers, cancellationToken));

    public static async Task<Accepted<DeploymentDto>> StopDeployment(string id, HttpContext context, DeploymentService deployments, InferenceServers servers,
        CancellationToken cancellationToken)
    {
        var view = await deployments.StopAsync(context.GetCaller(), id, cancellationToken);
        return TypedResults.Accepted($"/api/deployments/{view.Deployment.Id}", await ToDtoAsync(view, servers, cancellationToken));
    }

    public static async Task<Accepted<DeploymentDto>> StartDeployment(string id, HttpContext context, DeploymentService deployments, InferenceServers servers,
        CancellationToken cancellationToken)
    {
        var view = await deployments.StartAsync(context.GetCaller(), id, cancellationToken);
        return TypedResults.Accepted($"/api/deployments/{view.Deployment.Id}", await ToDtoAsync(view, servers, cancellationToken));
    }

    public static async Task<Results<NoContent, Accepted<DeploymentDto>>> DeleteDeployment(string id, HttpContext context, DeploymentService deployments,
        InferenceServers servers, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var force = q.Boolean("force") ?? false;
        q.Errors.ThrowIfAny();
        var view = await deployments.DeleteAsync(context.GetCaller(), id, force, cancellationToken);
        return view is null
            ? TypedResults.NoContent()
            : TypedResults.Accepted($"/api/deployments/{view.Deployment.Id}", await ToDtoAsync(view, servers, cancellationToken));
    }

    public static async Task<Ok<DeploymentMetricsResponse>> GetDeploymentMetrics(string id, HttpContext context, DeploymentService deployments,
        InferenceServers servers, UsageReports usage, IOptions<MonitoringOptions> monitoring, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated) throw new AuthenticationRequiredException("Sign in to see deployments.");
        var window = InferenceServersApi.ReadWindow(context.Request, monitoring.Value, clock);
        var deployment = await deployments.VisibleAsync(caller, id, cancellationToken);
        var server = await servers.FindAsync(deployment.Server, cancellationToken);
        var series = server is null ? [] : await servers.SeriesAsync(server, window, perNode: false, cancellationToken);
        var states = deployment.History.Where(t => t.At >= window.From && t.At < window.To).Select(t => t.ToDto()).ToList();
        var calls = await usage.ForDeploymentAsync(deployment.Model, deployment.Id, window.From, window.To, cancellationToken);
        return TypedResults.Ok(new DeploymentMetricsResponse(deployment.Id, window.From, window.To, (int)window.Step.TotalSeconds, states,
            series.Select(s => s.ToDto()).ToList(), calls.ToDeploymentUsage()));
    }

    private static async Task<DeploymentDto> ToDtoAsync(DeploymentView view, InferenceServers servers, CancellationToken cancellationToken) =>
        view.ToDto((await servers.FindAsync(view.Deployment.Server, cancellationToken))?.Url);

    private static async Task<Dictionary<string, string>> ServerUrlsAsync(InferenceServers servers, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var urls = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (await servers.FindAsync(name, cancellationToken) is { } server) urls[name] = server.Url;
        }
        return urls;
    }
}
