using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Servers;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Servers;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Problems;

namespace ModelsHub.Functions.Servers;

/// <summary>Inference servers (Xinference clusters): register with verification, read with their nodes, change, delete, monitoring series, push.</summary>
public static class InferenceServersApi
{
    private static readonly string[] ServerFields = ["name", "url", "apiKey", "description"];
    private static readonly string[] PushFields = ["servers", "types"];

    public static RouteGroupBuilder MapInferenceServersApi(this RouteGroupBuilder api)
    {
        var servers = api.MapGroup("/inference-servers").WithTags("Inference servers");
        servers.MapGet("/", ListInferenceServers).WithName("ListInferenceServers")
            .WithSummary("Every registered inference server with its version, reachability, last contact and nodes (signed-in callers).")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        servers.MapPost("/", RegisterInferenceServer).WithName("RegisterInferenceServer")
            .WithSummary("Register a Xinference server by URL (and API key), verified with /v1/cluster/version and /v1/cluster/info (servers.manage).")
            .Accepts<InferenceServerRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        servers.MapPost("/push", PushModels).WithName("PushModelsToServers")
            .WithSummary("Register (or refresh) the hub's own models on every server, or the ones named, and answer per server and type (servers.manage).")
            .Accepts<PushRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        servers.MapGet("/{name}", GetInferenceServer).WithName("GetInferenceServer")
            .WithSummary("One server: version, reachability, last contact, nodes (CPU, memory, GPUs, VRAM, utilization).")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        servers.MapPatch("/{name}", UpdateInferenceServer).WithName("UpdateInferenceServer")
            .WithSummary("Change a server's URL, key or description (a new URL or key is verified); send If-Match with its ETag (servers.manage).")
            .Accepts<InferenceServerRequest>("application/json", "application/merge-patch+json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        servers.MapDelete("/{name}", DeleteInferenceServer).WithName("DeleteInferenceServer")
            .WithSummary("Forget a server and its series; refused (409) while deployments on it are not stopped. Send If-Match (servers.manage).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        servers.MapGet("/{name}/metrics", GetInferenceServerMetrics).WithName("GetInferenceServerMetrics")
            .WithSummary("The server's monitoring series over from..to (default: the last 24 hours; step in seconds, at most 500 points unless given): polls, cluster totals and each node's CPU, memory, GPU and VRAM per step (nodes=false: totals only).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Ok<InferenceServerListResponse>> ListInferenceServers(HttpContext context, InferenceServers servers, CancellationToken cancellationToken)
    {
        var views = await servers.ListAsync(context.GetCaller(), cancellationToken);
        return TypedResults.Ok(new InferenceServerListResponse(views.Select(v => v.ToDto()).ToList()));
    }

    public static async Task<Created<InferenceServerDto>> RegisterInferenceServer(HttpContext context, InferenceServers servers, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated) throw new AuthenticationRequiredException("Sign in to register an inference server.");
        var input = ReadServer(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var view = await servers.RegisterAsync(caller, input, cancellationToken);
        Preconditions.SetETag(context.Response, view.Server.ETag);
        return TypedResults.Created($"/api/inference-servers/{Uri.EscapeDataString(view.Server.Name)}", view.ToDto());
    }

    public static async Task<Ok<InferenceServerDto>> GetInferenceServer(string name, HttpContext context, InferenceServers servers, CancellationToken cancellationToken)
    {
        var view = await servers.GetAsync(context.GetCaller(), name, cancellationToken);
        Preconditions.SetETag(context.Response, view.Server.ETag);
        return TypedResults.Ok(view.ToDto());
    }

    public static async Task<Ok<InferenceServerDto>> UpdateInferenceServer(string name, HttpContext context, InferenceServers servers, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated) throw new AuthenticationRequiredException("Sign in to change an inference server.");
        if (!caller.Has(Core.Identity.Permissions.ManageServers))
        {
            throw new ForbiddenException($"To change an inference server you need the '{Core.Identity.Permissions.ManageServers}' permission.");
        }
        var input = ReadServer(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var view = await servers.UpdateAsync(caller, name, input, Preconditions.IfMatch(context.Request), cancellationToken);
        Preconditions.SetETag(context.Response, view.Server.ETag);
        return TypedResults.Ok(view.ToDto());
    }

    public static async Task<NoContent> DeleteInferenceServer(string name, HttpContext context, InferenceServers servers, CancellationToken cancellationToken)
    {
        await servers.DeleteAsync(context.GetCaller(), name, Preconditions.IfMatch(context.Request), cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<ServerMetricsResponse>> GetInferenceServerMetrics(string name, HttpContext context, InferenceServers servers,
        IOptions<MonitoringOptions> monitoring, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated) throw new AuthenticationRequiredException("Sign in to see inference servers.");
        var window = ReadWindow(context.Request, monitoring.Value, clock);
        var q = new QueryReader(context.Request.Query);
        var perNode = q.Boolean("nodes") ?? true;
        q.Errors.ThrowIfAny();
        var server = await servers.GetAsync(caller, name, cancellationToken);
        var steps = await servers.SeriesAsync(server.Server, window, perNode, cancellationToken);
        return TypedResults.Ok(new ServerMetricsResponse(server.Server.Name, window.From, window.To, (int)window.Step.TotalSeconds, steps.Select(s => s.ToDto()).ToList()));
    }

    public static async Task<Ok<PushResponse>> PushModels(HttpContext context, ModelPush push, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated) throw new AuthenticationRequiredException("Sign in to push models to inference servers.");
        if (!caller.Has(Core.Identity.Permissions.ManageServers))
        {
            throw new ForbiddenException($"To push models to inference servers you need the '{Core.Identity.Permissions.ManageServers}' permission.");
        }
        var body = context.Request.ContentLength is 0 || (context.Request.ContentLength is null && !context.Request.Headers.ContentType.Any())
            ? default
            : await JsonBody.ReadObjectAsync(context, cancellationToken);
        IReadOnlyList<string>? names = null;
        List<ModelType>? types = null;
        if (body.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            var errors = new ValidationErrors();
            var f = new JsonFields(body, PushFields, errors);
            names = f.StringList("servers", 1000, InferenceServers.MaxNameLength, nullable: true).GetValueOrDefault(null!);
            var typeNames = f.StringList("types", 6, 20, nullable: true).GetValueOrDefault(null!);
            if (typeNames is not null)
            {
                types = [];
                for (var i = 0; i < typeNames.Count; i++)
                {
                    if (EnumNames<ModelType>.TryParse(typeNames[i], out var type) && type.IsXinference()) types.Add(type);
                    else errors.Add($"types[{i}]", $"'{typeNames[i]}' is not a type Xinference registers; one of: llm, embedding, rerank, image, audio, video.");
                }
            }
            errors.ThrowIfAny();
        }
        var results = await push.PushAsync(caller, names, types, cancellationToken);
        return TypedResults.Ok(new PushResponse(results.All(r => r.Succeeded), results.Select(r => r.ToDto()).ToList()));
    }

    /// <summary><c>from</c>, <c>to</c> (ISO 8601) and <c>step</c> (seconds) of a metrics query; every bad one named.</summary>
    public static MetricWindow ReadWindow(HttpRequest request, MonitoringOptions monitoring, TimeProvider clock)
    {
        var q = new QueryReader(request.Query);
        var from = Timestamp(request, "from", q.Errors);
        var to = Timestamp(request, "to", q.Errors);
        var step = q.Integer("step", (int)monitoring.Resolution.TotalSeconds, (int)TimeSpan.FromDays(31).TotalSeconds);
        q.Errors.ThrowIfAny();
        var window = ServerMetrics.Window(from, to, step, monitoring.Resolution, monitoring.Retention, clock.GetUtcNow(), q.Errors);
        q.Errors.ThrowIfAny();
        return window;
    }

    private static DateTimeOffset? Timestamp(HttpRequest request, string key, ValidationErrors errors)
    {
        var text = request.Query[key].ToString();
        if (text.Length == 0) return null;
        if (text.Length <= 40 && text.Contains('T')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at.ToUniversalTime();
        }
        errors.Add(key, "Must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z.");
        return null;
    }

    private static ServerInput ReadServer(System.Text.Json.JsonElement body)
    {
        var errors = new ValidationErrors();
        var f = new JsonFields(body, ServerFields, errors);
        var input = new ServerInput
        {
            Name = f.String("name", InferenceServers.MaxNameLength * 2),
            Url = f.String("url", InferenceServers.MaxUrlLength * 2),
            ApiKey = Nullable(f.String("apiKey", InferenceServers.MaxKeyLength * 2, nullable: true)),
            Description = Nullable(f.String("description", InferenceServers.MaxDescriptionLength * 2, nullable: true)),
        };
        errors.ThrowIfAny();
        return input;
    }

    private static Optional<string?> Nullable(Optional<string> value) => value.HasValue ? new Optional<string?>(true, value.Value) : default;
}
