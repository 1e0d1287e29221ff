using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Specs;

namespace ModelsHub.Core.Catalog;

/// <summary>Registering, browsing, changing and deleting models, with the permission rules applied.</summary>
public sealed partial class ModelCatalog(IModelStore store, ModelChangeNotifier notifier, TimeProvider clock, ILogger<ModelCatalog> logger)
{
    /// <summary>The If-Match wildcard: apply to whatever version is current.</summary>
    public const string AnyETag = "*";

    public Task<Page<ModelSummary>> ListAsync(Caller caller, ModelQuery query, CancellationToken cancellationToken) =>
        store.QueryAsync(query, ModelAccess.ScopeFor(caller, clock.GetUtcNow()), cancellationToken);

    public Task<ModelCounts> CountAsync(Caller caller, CancellationToken cancellationToken) =>
        store.CountAsync(ModelAccess.ScopeFor(caller, clock.GetUtcNow()), cancellationToken);

    /// <summary>The model, or <see cref="NotFoundException"/> when it is missing or the caller may not see it.</summary>
    public async Task<HubModel> GetAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var model = await store.FindAsync(name, cancellationToken);
        if (model is null || !ModelAccess.CanSee(caller, model, clock.GetUtcNow()))
        {
            throw new NotFoundException("Model", name);
        }
        return model;
    }

    public async Task<HubModel> CreateAsync(Caller caller, ModelInput input, CancellationToken cancellationToken)
    {
        var owner = caller.UserId ?? throw new AuthenticationRequiredException("Sign in to register a model.");
        var errors = new ValidationErrors();
        var name = input.Name.HasValue ? input.Name.Value : null;
        ModelRules.ValidateName(name, errors);
        if (!input.Type.HasValue)
        {
            errors.Add("type", "Is required; " + EnumNames<ModelType>.Expected + ".");
        }
        if (input.Source is { HasValue: true, Value: ModelSource.Upstream })
        {
            errors.Add("source", "'upstream' is reserved for models synchronized from the model repository.");
        }
        errors.ThrowIfAny();

        var now = clock.GetUtcNow();
        var model = new HubModel
        {
            Id = HubModel.IdFor(name!),
            Name = name!,
            Type = input.Type.Value,
            Owner = owner,
            CreatedAt = now,
            UpdatedAt = now,
        };
        Apply(model, input);
        Validate(model);
        foreach (var permission in ModelAccess.RequiredToPublish(model.Visibility, model.Tier))
        {
            ModelAccess.Demand(caller, caller.Has(permission) ? null : permission, $"register a {Describe(model)} model");
        }
        if (model.Featured)
        {
            ModelAccess.Demand(caller, model.Visibility == ModelVisibility.Public ? ModelAccess.Missing(caller, model, ModelAction.Update) : null, "feature a model");
        }
        if (model.Spec is { } spec)
        {
            model.Spec = XinferenceSpec.StampUpdatedAt(spec, now.ToUnixTimeSeconds());
        }
        if (model.Readme.Length == 0)
        {
            model.Readme = ReadmeTemplate.Render(model.Name, model.Type, model.Description, model.Spec);
        }

        var created = await store.CreateAsync(model, cancellationToken);
        LogRegistered(logger, created.Name, created.Type, created.Visibility, owner);
        await notifier.NotifyAsync(new ModelChange(created.Name, null, created), cancellationToken);
        return created;
    }

    /// <param name="ifMatch">The ETag the change is based on, or <see cref="AnyETag"/>; null is refused.</param>
    public async Task<HubModel> UpdateAsync(Caller caller, string name, ModelInput changes, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await GetAsync(caller, name, cancellationToken);
        ifMatch = ifMatch == AnyETag ? current.ETag! : ifMatch ?? throw new PreconditionRequiredException();
        var errors = new ValidationErrors();
        if (changes.Name.HasValue && !string.Equals(changes.Name.Value, current.Name, StringComparison.Ordinal))
        {
            errors.Add("name", "A model's name cannot change; register a new model instead.");
        }
        if (changes.Source is { HasValue: true, Value: ModelSource.Upstream } && current.Source != ModelSource.Upstream)
        {
            errors.Add("source", "'upstream' is reserved for models synchronized from the model repository.");
        }
        errors.ThrowIfAny();

        var next = current.Clone();
        Apply(next, changes);
        Validate(next);
        Authorize(caller, current, next);

        if (!HasChanges(current, next))
        {
            if (!string.Equals(current.ETag, ifMatch, StringComparison.Ordinal))
            {
                throw new PreconditionFailedException("Model", current.Name);
            }
            return current;
        }
        var now = clock.GetUtcNow();
        next.UpdatedAt = now;
        if (next.Spec is { } spec && !XinferenceSpec.SameContent(current.Spec, spec))
        {
            var stamp = Math.Max(now.ToUnixTimeSeconds(), XinferenceSpec.LatestUpdatedAt(current.Spec) + 1);
            next.Spec = XinferenceSpec.StampUpdatedAt(spec, stamp);
        }
        var saved = await store.ReplaceAsync(next, ifMatch, cancellationToken);
        LogUpdated(logger, saved.Name, caller.UserId);
        await notifier.NotifyAsync(new ModelChange(saved.Name, current, saved), cancellationToken);
        return saved;
    }

    public async Task DeleteAsync(Caller caller, string name, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await GetAsync(caller, name, cancellationToken);
        ModelAccess.Demand(caller, ModelAccess.Missing(caller, current, ModelAction.Delete), "delete this model");
        _ = ifMatch ?? throw new PreconditionRequiredException();
        await store.DeleteAsync(current.Name, ifMatch == AnyETag ? current.ETag : ifMatch, cancellationToken);
        LogDeleted(logger, current.Name, caller.UserId);
        await notifier.NotifyAsync(new ModelChange(current.Name, current, null), cancellationToken);
    }

    /// <summary>The README template for a draft (the registration form's "Get README").</summary>
    public static string RenderReadme(string? name, ModelType type, string? description, JsonElement? spec)
    {
        var errors = new ValidationErrors();
        ModelRules.ValidateName(name, errors);
        var normalized = ModelRules.NormalizeSpec(spec);
        if (normalized is { } s && s.ValueKind != JsonValueKind.Array)
        {
            errors.Add("spec", "Must be a Xinference model entry (an object) or a list of entries.");
        }
        errors.ThrowIfAny();
        return ReadmeTemplate.Render(name!, type, description, normalized);
    }

    private static void Apply(HubModel model, ModelInput input)
    {
        if (input.Type.HasValue) model.Type = input.Type.Value;
        if (input.Description.HasValue) model.Description = input.Description.Value ?? "";
        if (input.Readme.HasValue) model.Readme = input.Readme.Value ?? "";
        if (input.Tags.HasValue) model.Tags = ModelRules.NormalizeTags(input.Tags.Value ?? []);
        if (input.Framework.HasValue) model.Framework = input.Framework.Value;
        if (input.Source.HasValue) model.Source = input.Source.Value;
        if (input.Visibility.HasValue) model.Visibility = input.Visibility.Value;
        if (input.Tier.HasValue) model.Tier = input.Tier.Value;
        if (input.Status.HasValue) model.Status = input.Status.Value;
        if (input.ExpiresAt.HasValue) model.ExpiresAt = input.ExpiresAt.Value;
        if (input.Featured.HasValue) model.Featured = input.Featured.Value;
        if (input.Spec.HasValue) model.Spec = ModelRules.NormalizeSpec(input.Spec.Value);
    }

    private static void Validate(HubModel model)
    {
        var errors = new ValidationErrors();
        ModelRules.Validate(model, errors);
        errors.ThrowIfAny();
    }

    /// <summary>Checks each kind of change against the permission that guards it.</summary>
    private static void Authorize(Caller caller, HubModel current, HubModel next)
    {
        var publishing = current.Visibility != next.Visibility || current.Tier != next.Tier;
        if (publishing)
        {
            if (current.Visibility == ModelVisibility.Public && next.Visibility == ModelVisibility.Private)
            {
                ModelAccess.Demand(caller, ModelAccess.Missing(caller, current, ModelAction.Delete), "withdraw a public model");
            }
            else if (current.Visibility == ModelVisibility.Public)
            {
                ModelAccess.Demand(caller, ModelAccess.Missing(caller, current, ModelAction.Update), "change this model's tier");
            }
            else if (!caller.IsUser(current.Owner) && !caller.IsAdmin)
            {
                ModelAccess.Demand(caller, "ownership of the model", "publish this model");
            }
            foreach (var permission in ModelAccess.RequiredToPublish(next.Visibility, next.Tier))
            {
                ModelAccess.Demand(caller, caller.IsAdmin || caller.Has(permission) ? null : permission, $"make this a {Describe(next)} model");
            }
        }
        if (current.ExpiresAt != next.ExpiresAt)
        {
            ModelAccess.Demand(caller, ModelAccess.Missing(caller, current, ModelAction.Expire), "change this model's expiry");
        }
        if (HasContentChanges(current, next))
        {
            ModelAccess.Demand(caller, ModelAccess.Missing(caller, current, ModelAction.Update), "update this model");
            if (next.Featured != current.Featured && next.Visibility == ModelVisibility.Public)
            {
                ModelAccess.Demand(caller, ModelAccess.Missing(caller, next, ModelAction.Update), "feature this model");
            }
        }
    }

    private static bool HasContentChanges(HubModel a, HubModel b) =>
        a.Type != b.Type || a.Description != b.Description || a.Readme != b.Readme
        || !a.Tags.SequenceEqual(b.Tags, StringComparer.Ordinal) || a.Framework != b.Framework || a.Source != b.Source
        || a.Status != b.Status || a.Featured != b.Featured || !XinferenceSpec.SameContent(a.Spec, b.Spec);

    private static bool HasChanges(HubModel a, HubModel b) =>
        HasContentChanges(a, b) || a.Visibility != b.Visibility || a.Tier != b.Tier || a.ExpiresAt != b.ExpiresAt;

    private static string Describe(HubModel model) =>
        model.Visibility == ModelVisibility.Private ? "private" : $"public {EnumNames<ModelTier>.NameOf(model.Tier)}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} ({Type}, {Visibility}) registered by {Owner}")]
    private static partial void LogRegistered(ILogger logger, string name, ModelType type, ModelVisibility visibility, string owner);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} updated by {User}")]
    private static partial void LogUpdated(ILogger logger, string name, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Name} deleted by {User}")]
    private static partial void LogDeleted(ILogger logger, string name, string? user);
}
