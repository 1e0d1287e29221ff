using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.Core.Common;
using ModelsHub.Core.Webhooks;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Problems;

namespace ModelsHub.Functions.Webhooks;

/// <summary>Webhooks: subscribe a URL to the hub's events, see each delivery, redeliver, ping.</summary>
public static class WebhooksApi
{
    private static readonly string[] Fields = ["url", "events", "secret", "models", "active"];

    public static RouteGroupBuilder MapWebhooksApi(this RouteGroupBuilder api)
    {
        var hooks = api.MapGroup("/webhooks").WithTags("Webhooks");
        hooks.MapPost("/", CreateWebhook).WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to events (of models you own; administrators: any). Without a secret the hub generates one and shows it this once.")
            .Accepts<WebhookRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        hooks.MapGet("/", ListWebhooks).WithName("ListWebhooks")
            .WithSummary("Your webhooks (administrators: everyone's), oldest first; pageSize 1-100, continuationToken.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        hooks.MapGet("/{id}", GetWebhook).WithName("GetWebhook")
            .WithSummary("A webhook: URL, events, models, whether it is on (and why the hub turned it off), its last delivery.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapPatch("/{id}", UpdateWebhook).WithName("UpdateWebhook")
            .WithSummary("Change a webhook's URL, events, models, secret or active flag (turning it on again clears its failures); send If-Match with its ETag.")
            .Accepts<WebhookRequest>("application/json", "application/merge-patch+json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        hooks.MapDelete("/{id}", DeleteWebhook).WithName("DeleteWebhook")
            .WithSummary("Delete a webhook and its deliveries; send If-Match with its ETag (or *).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        hooks.MapGet("/{id}/deliveries", ListDeliveries).WithName("ListWebhookDeliveries")
            .WithSummary("The webhook's deliveries, newest first: status, response code, duration, tries.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapGet("/{id}/deliveries/{deliveryId}", GetDelivery).WithName("GetWebhookDelivery")
            .WithSummary("One delivery: every try (time, response code and body start, duration, error) and the CloudEvent sent.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapPost("/{id}/deliveries/{deliveryId}/redeliver", Redeliver).WithName("RedeliverWebhookDelivery")
            .WithSummary("Send a delivery's event again, as a new delivery (same event id); also to a webhook that is turned off.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapPost("/{id}/ping", PingWebhook).WithName("PingWebhook")
            .WithSummary("Send a signed ping event to the webhook (also when it is turned off) and follow it as a delivery.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Created<WebhookDto>> CreateWebhook(HttpContext context, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to add a webhook.");
        }
        var input = await ReadAsync(context, cancellationToken);
        var created = await webhooks.CreateAsync(caller, input, cancellationToken);
        Preconditions.SetETag(context.Response, created.Webhook.ETag);
        return TypedResults.Created($"/api/webhooks/{created.Webhook.Id}", created.Webhook.ToDto(created.GeneratedSecret));
    }

    public static async Task<Ok<WebhookListResponse>> ListWebhooks(HttpContext context, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var (pageSize, token) = (q.PageSize(), q.ContinuationToken());
        q.Errors.ThrowIfAny();
        var page = await webhooks.ListAsync(context.GetCaller(), pageSize, token, cancellationToken);
        return TypedResults.Ok(new WebhookListResponse(page.Items.Select(w => w.ToDto()).ToList(), page.ContinuationToken));
    }

    public static async Task<Ok<WebhookDto>> GetWebhook(string id, HttpContext context, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var webhook = await webhooks.GetAsync(context.GetCaller(), id, cancellationToken);
        Preconditions.SetETag(context.Response, webhook.ETag);
        return TypedResults.Ok(webhook.ToDto());
    }

    public static async Task<Ok<WebhookDto>> UpdateWebhook(string id, HttpContext context, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        // Access before the body: someone else's webhook is a 404 whatever was sent.
        await webhooks.GetAsync(caller, id, cancellationToken);
        var input = await ReadAsync(context, cancellationToken);
        var saved = await webhooks.UpdateAsync(caller, id, input, Preconditions.IfMatch(context.Request), cancellationToken);
        Preconditions.SetETag(context.Response, saved.ETag);
        return TypedResults.Ok(saved.ToDto());
    }

    public static async Task<NoContent> DeleteWebhook(string id, HttpContext context, WebhookService webhooks, CancellationToken cancellationToken)
    {
        await webhooks.DeleteAsync(context.GetCaller(), id, Preconditions.IfMatch(context.Request), cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<DeliveryListResponse>> ListDeliveries(string id, HttpContext context, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var (pageSize, token) = (q.PageSize(), q.ContinuationToken());
        q.Errors.ThrowIfAny();
        var page = await webhooks.ListDeliveriesAsync(context.GetCaller(), id, pageSize, token, cancellationToken);
        return TypedResults.Ok(new DeliveryListResponse(page.Items.Select(d => d.ToDto(details: false)).ToList(), page.ContinuationToken));
    }

    public static async Task<Ok<DeliveryDto>> GetDelivery(string id, string deliveryId, HttpContext context, WebhookService webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok((await webhooks.GetDeliveryAsync(context.GetCaller(), id, deliveryId, cancellationToken)).ToDto(details: true));

    public static async Task<Accepted<DeliveryDto>> Redeliver(string id, string deliveryId, HttpContext context, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var delivery = await webhooks.RedeliverAsync(context.GetCaller(), id, deliveryId, cancellationToken);
        return TypedResults.Accepted($"/api/webhooks/{id}/deliveries/{delivery.Id}", delivery.ToDto(details: false));
    }

    public static async Task<Accepted<DeliveryDto>> PingWebhook(string id, HttpContext context, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var delivery = await webhooks.PingAsync(context.GetCaller(), id, cancellationToken);
        return TypedResults.Accepted($"/api/webhooks/{id}/deliveries/{delivery.Id}", delivery.ToDto(details: false));
    }

    private static async Task<WebhookInput> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(context, cancellationToken);
        var errors = new ValidationErrors();
        var fields = new JsonFields(body, Fields, errors);
        var input = new WebhookInput(
            fields.String("url", WebhookTargets.MaxUrlLength),
            fields.StringList("events", WebhookService.MaxEvents, 64),
            fields.String("secret", WebhookSignature.MaxSecretLength),
            Models(fields.StringList("models", WebhookService.MaxModels, 100, nullable: true), body),
            fields.Boolean("active"));
        errors.ThrowIfAny();
        return input;
    }

    /// <summary><c>"models": null</c> means every model (as leaving it out does on create); JsonFields reads a null list as empty.</summary>
    private static Optional<IReadOnlyList<string>?> Models(Optional<IReadOnlyList<string>> read, JsonElement body) =>
        !read.HasValue ? default
            : body.TryGetProperty("models", out var raw) && raw.ValueKind == JsonValueKind.Null ? new(true, null) : new(true, read.Value);
}
