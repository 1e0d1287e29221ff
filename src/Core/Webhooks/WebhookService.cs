using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Identity;

namespace ModelsHub.Core.Webhooks;

/// <summary>A webhook's fields as a request sets them (absent: unchanged).</summary>
public sealed record WebhookInput(
    Optional<string> Url,
    Optional<IReadOnlyList<string>> Events,
    Optional<string> Secret,
    Optional<IReadOnlyList<string>?> Models,
    Optional<bool> Active);

/// <summary>A webhook just created, with its secret when the hub generated it (shown this once).</summary>
public sealed record CreatedWebhook(Webhook Webhook, string? GeneratedSecret);

/// <summary>
/// Webhooks as their owners manage them: a signed-in user subscribes to events of models they own
/// (every such model, or those listed); an administrator to any model's, or all. Only the owner and
/// administrators see a webhook (anyone else: 404). URLs follow the SSRF rules (<see cref="WebhookTargets"/>).
/// </summary>
public sealed partial class WebhookService(
    IWebhookStore webhooks,
    IWebhookDeliveryStore deliveries,
    WebhookDeliveries dispatcher,
    IModelStore models,
    ISecretProtector secrets,
    IAddressResolver resolver,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookService> logger)
{
    public const int MaxEvents = 50;
    public const int MaxModels = 100;

    public async Task<CreatedWebhook> CreateAsync(Caller caller, WebhookInput input, CancellationToken cancellationToken)
    {
        var owner = caller.UserId ?? throw new AuthenticationRequiredException("Sign in to add a webhook.");
        var errors = new ValidationErrors();
        if (!input.Url.HasValue)
        {
            errors.Add("url", "Is required: the https:// address the hub POSTs events to.");
        }
        if (!input.Events.HasValue)
        {
            errors.Add("events", $"Is required: a list of event names ({string.Join(", ", WebhookEventTypes.Subscribable)}) or [\"*\"].");
        }
        errors.ThrowIfAny();
        var generated = input.Secret.HasValue ? null : WebhookSignature.NewSecret();
        var now = clock.GetUtcNow();
        var webhook = new Webhook
        {
            Id = "wh_" + Guid.NewGuid().ToString("N"),
            Owner = owner,
            Url = "",
            Scope = caller.IsAdmin ? WebhookScope.All : WebhookScope.Owned,
            ProtectedSecret = secrets.Protect(generated ?? input.Secret.Value),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await ApplyAsync(caller, webhook, input, cancellationToken);
        var created = await webhooks.CreateAsync(webhook, cancellationToken);
        LogCreated(logger, created.Id, owner, created.Scope);
        return new CreatedWebhook(created, generated);
    }

    public async Task<Webhook> GetAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to see webhooks.");
        }
        var webhook = await webhooks.FindAsync(id, cancellationToken);
        return webhook is not null && (caller.IsAdmin || caller.IsUser(webhook.Owner)) ? webhook : throw new NotFoundException("Webhook", id);
    }

    /// <summary>The caller's webhooks; an administrator's listing shows everyone's.</summary>
    public Task<Page<Webhook>> ListAsync(Caller caller, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var user = caller.UserId ?? throw new AuthenticationRequiredException("Sign in to see webhooks.");
        return webhooks.ListAsync(caller.IsAdmin ? null : user, pageSize, continuationToken, cancellationToken);
    }

    /// <param name="ifMatch">The webhook's ETag, or <see cref="ModelCatalog.AnyETag"/>; null is refused (428).</param>
    public async Task<Webhook> UpdateAsync(Caller caller, string id, WebhookInput input, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await GetAsync(caller, id, cancellationToken);
        ifMatch = ifMatch == ModelCatalog.AnyETag ? current.ETag! : ifMatch ?? throw new PreconditionRequiredException();
        var next = current.Clone();
        await ApplyAsync(caller, next, input, cancellationToken);
        if (input.Secret.HasValue)
        {
            next.ProtectedSecret = secrets.Protect(input.Secret.Value);
        }
        if (input.Active is { HasValue: true, Value: true } && !current.Active)
        {
            // Turned on again: the failures that turned it off are forgiven.
            next.ConsecutiveFailures = 0;
            next.DisabledReason = null;
            next.DisabledAt = null;
        }
        next.UpdatedAt = clock.GetUtcNow();
        return await webhooks.ReplaceAsync(next, ifMatch, cancellationToken);
    }

    public async Task DeleteAsync(Caller caller, string id, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await GetAsync(caller, id, cancellationToken);
        _ = ifMatch ?? throw new PreconditionRequiredException("Send If-Match with the webhook's ETag (or *) to confirm which webhook you delete.");
        await webhooks.DeleteAsync(current.Id, ifMatch == ModelCatalog.AnyETag ? null : ifMatch, cancellationToken);
        await deliveries.DeleteAllAsync(current.Id, cancellationToken);
        LogDeleted(logger, current.Id, caller.UserId);
    }

    public async Task<Page<WebhookDelivery>> ListDeliveriesAsync(Caller caller, string id, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var webhook = await GetAsync(caller, id, cancellationToken);
        return await deliveries.ListAsync(webhook.Id, pageSize, continuationToken, cancellationToken);
    }

    public async Task<WebhookDelivery> GetDeliveryAsync(Caller caller, string id, string deliveryId, CancellationToken cancellationToken)
    {
        var webhook = await GetAsync(caller, id, cancellationToken);
        return await deliveries.FindAsync(webhook.Id, deliveryId, cancellationToken) ?? throw new NotFoundException("Delivery", deliveryId);
    }

    public async Task<WebhookDelivery> RedeliverAsync(Caller caller, string id, string deliveryId, CancellationToken cancellationToken)
    {
        var original = await GetDeliveryAsync(caller, id, deliveryId, cancellationToken);
        return await dispatcher.RedeliverAsync(await GetAsync(caller, id, cancellationToken), original, caller.UserId, cancellationToken);
    }

    public async Task<WebhookDelivery> PingAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        await dispatcher.PingAsync(await GetAsync(caller, id, cancellationToken), caller.UserId, cancellationToken);

    /// <summary>Whether http:// targets are allowed here (Webhooks:AllowHttp, else only in Development).</summary>
    public bool AllowHttp => options.Value.AllowHttp ?? false;

    private async Task ApplyAsync(Caller caller, Webhook webhook, WebhookInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (input.Url.HasValue)
        {
            if (await CheckUrlAsync(input.Url.Value, cancellationToken) is { } problem)
            {
                errors.Add("url", problem);
            }
            webhook.Url = input.Url.Value;
        }
        if (input.Events.HasValue)
        {
            var events = input.Events.Value;
            if (events.Count == 0)
            {
                errors.Add("events", "List at least one event, or [\"*\"] for all.");
            }
            else if (events.Count > MaxEvents)
            {
                errors.Add("events", $"At most {MaxEvents} events.");
            }
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i] != WebhookEventTypes.All && !WebhookEventTypes.Subscribable.Contains(events[i], StringComparer.Ordinal))
                {
                    errors.Add($"events[{i}]", $"'{events[i]}' is not an event; expected \"*\" or one of: {string.Join(", ", WebhookEventTypes.Subscribable)}.");
                }
            }
            webhook.Events = events.Distinct(StringComparer.Ordinal).ToList();
        }
        if (input.Secret.HasValue && WebhookSignature.Check(input.Secret.Value) is { } badSecret)
        {
            errors.Add("secret", badSecret);
        }
        if (input.Active.HasValue)
        {
            webhook.Active = input.Active.Value;
        }
        var forbidden = (string?)null;
        if (input.Models.HasValue)
        {
            var names = input.Models.Value;
            if (names is { Count: > MaxModels })
            {
                errors.Add("models", $"At most {MaxModels} models.");
            }
            else if (names is { Count: 0 })
            {
                errors.Add("models", "List at least one model, or leave the field out (or null) for every model you may subscribe to.");
            }
            var canonical = new List<string>();
            for (var i = 0; names is not null && names.Count <= MaxModels && i < names.Count; i++)
            {
                var model = IsModelName(names[i]) ? await models.FindAsync(names[i], cancellationToken) : null;
                if (model is null || !ModelAccess.CanSee(caller, model, clock.GetUtcNow()))
                {
                    errors.Add($"models[{i}]", $"There is no model '{names[i]}' that you can see.");
                }
                else if (!caller.IsAdmin && !caller.IsUser(model.Owner))
                {
                    forbidden ??= $"You may subscribe only to models you own; '{model.Name}' is {model.Owner}'s.";
                }
                else if (!canonical.Contains(model.Name, StringComparer.OrdinalIgnoreCase))
                {
                    canonical.Add(model.Name);
                }
            }
            webhook.Models = names is null ? null : canonical;
        }
        if (forbidden is not null && errors.IsEmpty)
        {
            throw new ForbiddenException(forbidden);
        }
        errors.ThrowIfAny();
    }

    private static bool IsModelName(string name)
    {
        var errors = new ValidationErrors();
        ModelRules.ValidateName(name, errors);
        return errors.IsEmpty;
    }

    private async Task<string?> CheckUrlAsync(string url, CancellationToken cancellationToken)
    {
        var allowPrivate = options.Value.AllowPrivateTargets;
        if (WebhookTargets.CheckText(url, AllowHttp, allowPrivate, out var uri) is { } problem)
        {
            return problem;
        }
        if (allowPrivate || System.Net.IPAddress.TryParse(uri!.IdnHost.Trim('[', ']'), out _))
        {
            return null;
        }
        try
        {
            return WebhookTargets.CheckAddresses(uri.IdnHost, await resolver.ResolveAsync(uri.IdnHost, cancellationToken));
        }
        catch (System.Net.Sockets.SocketException)
        {
            // A name that does not resolve yet is accepted; every send checks the addresses it connects to.
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {Id} created by {Owner} ({Scope})")]
    private static partial void LogCreated(ILogger logger, string id, string owner, WebhookScope scope);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {Id} deleted by {User}")]
    private static partial void LogDeleted(ILogger logger, string id, string? user);
}
