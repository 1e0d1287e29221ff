using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Contracts;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Reviews;
using ModelsHub.Core.Specs;

namespace ModelsHub.Core.Catalog;

/// <summary>
/// The outcome of a registration, change or delete: applied (<see cref="Model"/> is the stored
/// model, null after a delete; <see cref="Submission"/> records it when a public model was
/// involved), or waiting for review (<see cref="Submission"/> is pending, nothing changed yet).
/// </summary>
public sealed record ModelWrite(HubModel? Model, Submission? Submission)
{
    public bool IsPending => Submission is { State: SubmissionState.Pending };
}

/// <summary>
/// Registering, browsing, changing and deleting models, with the permission rules applied. A
/// change the caller lacks the permission for goes to review instead when the seeds say so (a
/// public registration, or the owner's change to a public model); see <see cref="ReviewBoard"/>.
/// </summary>
public sealed partial class ModelCatalog(IModelStore store, ModelChangeNotifier notifier, ReviewBoard reviews, TimeProvider clock, ILogger<ModelCatalog> logger)
{
    /// <summary>The If-Match wildcard: apply to whatever version is current.</summary>
    public const string AnyETag = ETags.Any;

    public Task<Page<ModelSummary>> ListAsync(Caller caller, ModelQuery query, CancellationToken cancellationToken) =>
        store.QueryAsync(query, ModelAccess.ScopeFor(caller, clock.GetUtcNow()), cancellationToken);

    public Task<ModelCounts> CountAsync(Caller caller, CancellationToken cancellationToken) =>
        store.CountAsync(ModelAccess.ScopeFor(caller, clock.GetUtcNow()), cancellationToken);

    /// <summary>The model, or <see cref="NotFoundException"/> when it is missing or the caller may not see it.</summary>
    public async Task<HubModel> GetAsync(Caller caller, string name, CancellationToken cancellationToken) =>
        await FindAsync(caller, name, cancellationToken) ?? throw new NotFoundException("Model", name);

    /// <summary>The model, or null when it is missing or the caller may not see it.</summary>
    public async Task<HubModel?> FindAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var model = await store.FindAsync(name, cancellationToken);
        return model is not null && ModelAccess.CanSee(caller, model, clock.GetUtcNow()) ? model : null;
    }

    /// <summary>
    /// The model a caller means to call: one they see, or one they would see were it active, so that
    /// calling a stopped model answers "inactive" (409) rather than "not found".
    /// </summary>
    public async Task<HubModel> GetForCallAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var model = await store.FindAsync(name, cancellationToken);
        var now = clock.GetUtcNow();
        if (model is not null && ModelAccess.CanSee(caller, model, now))
        {
            return model;
        }
        if (model is { Status: not ModelStatus.Active })
        {
            var started = model.Clone();
            started.Status = ModelStatus.Active;
            if (ModelAccess.CanSee(caller, started, now))
            {
                return model;
            }
        }
        throw new NotFoundException("Model", name);
    }

    /// <summary>
    /// The model a caller means to change, refused (403) when the caller may change nothing about
    /// it, before the request's fields are read: a bad value from such a caller is still a 403.
    /// </summary>
    public async Task<HubModel> GetForChangeAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var current = await GetAsync(caller, name, cancellationToken);
        var mayChangeSomething = caller.IsAdmin || caller.IsUser(current.Owner)
            || (current.Visibility == ModelVisibility.Public && ModelAccess.ManagesTier(caller, current.Tier));
        if (!mayChangeSomething)
        {
            ModelAccess.Demand(caller, ModelAccess.Missing(caller, current, ModelAction.Update) ?? "ownership of the model", "change this model");
        }
        return current;
    }

    public async Task<ModelWrite> CreateAsync(Caller caller, ModelInput input, CancellationToken cancellationToken)
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
        var missing = new List<(string Missing, string What)>();
        foreach (var permission in ModelAccess.RequiredToPublish(model.Visibility, model.Tier))
        {
            Need(missing, caller.Has(permission) ? null : permission, $"register a {Describe(model)} model");
        }
        if (model.Featured)
        {
            Need(missing, model.Visibility == ModelVisibility.Public ? ModelAccess.Missing(caller, model, ModelAction.Update) : null, "feature a model");
        }
        var reviewable = model.Visibility == ModelVisibility.Public && caller.Has(Permissions.RegisterPrivateModels);
        if (missing.Count > 0 && !reviewable)
        {
            ModelAccess.Demand(caller, missing[0].Missing, missing[0].What);
        }
        if (model.Spec is { } spec)
        {
            model.Spec = XinferenceSpec.StampUpdatedAt(spec, now.ToUnixTimeSeconds());
        }
        if (model.Readme.Length == 0)
        {
            model.Readme = ReadmeTemplate.Render(model.Name, model.Type, model.Description, model.Spec);
        }

        if (missing.Count > 0)
        {
            // A public registration without the permission: it waits for a reviewer (seed 001).
            if (await store.FindAsync(model.Name, cancellationToken) is not null)
            {
                throw new ConflictException($"A model named '{model.Name}' already exists (names are unique ignoring case).", "name");
            }
            return new ModelWrite(null, await reviews.SubmitAsync(caller, ChangeKind.Register, null, model, cancellationToken));
        }

        // The submitter who may now register it publicly at once revises their own registration (the applied one
        // supersedes it); anything else under that name would make its approval impossible.
        if (await reviews.FindPendingRegistrationAsync(model.Name, cancellationToken) is { } held
            && !(caller.IsUser(held.Submitter) && model.Visibility == ModelVisibility.Public))
        {
            throw new ConflictException(
                $"The name '{held.ModelName}' is held by a registration waiting for review ({held.Id}); names are unique ignoring case, so choose another.", "name");
        }
        var created = await store.CreateAsync(model, cancellationToken);
        LogRegistered(logger, created.Name, created.Type, created.Visibility, owner);
        await notifier.NotifyAsync(new ModelChange(created.Name, null, created, caller.UserId), cancellationToken);
        return new ModelWrite(created, await reviews.RecordAppliedAsync(caller, ChangeKind.Register, null, created, cancellationToken));
    }

    /// <param name="ifMatch">The ETag the change is based on, or <see cref="AnyETag"/>; null is refused.</param>
    public async Task<ModelWrite> UpdateAsync(Caller caller, string name, ModelInput changes, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await GetForChangeAsync(caller, name, cancellationToken);
        ifMatch = ifMatch == AnyETag ? current.ETag! : ifMatch ?? throw new PreconditionRequiredException();

        // Authorize before validating: a caller who may not make this change hears 403 whatever it sent.
        var next = current.Clone();
        Apply(next, changes);
        var missing = Authorize(caller, current, next);
        var reviewable = caller.IsUser(current.Owner) && caller.Has(Permissions.RegisterPrivateModels)
            && (current.Visibility == ModelVisibility.Public || next.Visibility == ModelVisibility.Public);
        if (missing.Count > 0 && !reviewable)
        {
            ModelAccess.Demand(caller, missing[0].Missing, missing[0].What);
        }

        var errors = new ValidationErrors();
        if (changes.Name.HasValue && !string.Equals(changes.Name.Value, current.Name, StringComparison.Ordinal))
        {
            errors.Add("name", "A model's name cannot change; register a new model instead.");
        }
        if (changes.Source is { HasValue: true, Value: ModelSource.Upstream } && current.Source != ModelSource.Upstream)
        {
            errors.Add("source", "'upstream' is reserved for models synchronized from the model repository.");
        }
        if (changes.Source is { HasValue: true } source && source.Value != current.Source && current.Provider is not null)
        {
            // The provider block (endpoint, key) was verified for the current kind of provider.
            errors.Add("source", "An API model with a provider keeps its source; register a new model for another provider.");
        }
        errors.ThrowIfAny();
        Validate(next);

        if (!HasChanges(current, next))
        {
            if (!string.Equals(current.ETag, ifMatch, StringComparison.Ordinal))
            {
                throw new PreconditionFailedException("Model", current.Name);
            }
            return new ModelWrite(current, null);
        }
        var now = clock.GetUtcNow();
        next.UpdatedAt = now;
        if (next.Spec is { } spec && !XinferenceSpec.SameContent(current.Spec, spec))
        {
            var stamp = Math.Max(now.ToUnixTimeSeconds(), XinferenceSpec.LatestUpdatedAt(current.Spec) + 1);
            next.Spec = XinferenceSpec.StampUpdatedAt(spec, stamp);
        }
        var kind = HasContentChanges(current, next) || current.Visibility != next.Visibility || current.Tier != next.Tier
            ? ChangeKind.Update
            : ChangeKind.Expire;
        if (missing.Count > 0)
        {
            // The owner's change to a public model: it waits for a reviewer, based on the version read.
            if (!string.Equals(current.ETag, ifMatch, StringComparison.Ordinal))
            {
                throw new PreconditionFailedException("Model", current.Name);
            }
            return new ModelWrite(null, await reviews.SubmitAsync(caller, kind, current, next, cancellationToken));
        }
        var saved = await store.ReplaceAsync(next, ifMatch, cancellationToken);
        LogUpdated(logger, saved.Name, caller.UserId);
        await notifier.NotifyAsync(new ModelChange(saved.Name, current, saved, caller.UserId), cancellationToken);
        return new ModelWrite(saved, await reviews.RecordAppliedAsync(caller, kind, current, saved, cancellationToken));
    }

    public async Task<ModelWrite> DeleteAsync(Caller caller, string name, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await GetAsync(caller, name, cancellationToken);
        var missing = ModelAccess.Missing(caller, current, ModelAction.Delete);
        var reviewable = current.Visibility == ModelVisibility.Public && caller.IsUser(current.Owner) && caller.Has(Permissions.RegisterPrivateModels);
        if (!reviewable)
        {
            ModelAccess.Demand(caller, missing, "delete this model");
        }
        _ = ifMatch ?? throw new PreconditionRequiredException();
        if (missing is not null)
        {
            // The owner's delete of a public model waits for a reviewer.
            if (ifMatch != AnyETag && !string.Equals(current.ETag, ifMatch, StringComparison.Ordinal))
            {
                throw new PreconditionFailedException("Model", current.Name);
            }
            return new ModelWrite(null, await reviews.SubmitAsync(caller, ChangeKind.Delete, current, null, cancellationToken));
        }
        await store.DeleteAsync(current.Name, ifMatch == AnyETag ? current.ETag : ifMatch, cancellationToken);
        LogDeleted(logger, current.Name, caller.UserId);
        await notifier.NotifyAsync(new ModelChange(current.Name, current, null, caller.UserId), cancellationToken);
        return new ModelWrite(null, await reviews.RecordAppliedAsync(caller, ChangeKind.Delete, current, null, cancellationToken));
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
        if (input.Provider.HasValue) model.Provider = input.Provider.Value;
    }

    private static void Validate(HubModel model)
    {
        var errors = new ValidationErrors();
        ModelRules.Validate(model, errors);
        errors.ThrowIfAny();
    }

    /// <summary>Each kind of change checked against the permission that guards it: what is missing, in order.</summary>
    private static List<(string Missing, string What)> Authorize(Caller caller, HubModel current, HubModel next)
    {
        var missing = new List<(string Missing, string What)>();
        var publishing = current.Visibility != next.Visibility || current.Tier != next.Tier;
        if (publishing)
        {
            if (current.Visibility == ModelVisibility.Public && next.Visibility == ModelVisibility.Private)
            {
                Need(missing, ModelAccess.Missing(caller, current, ModelAction.Delete), "withdraw a public model");
            }
            else if (current.Visibility == ModelVisibility.Public)
            {
                Need(missing, ModelAccess.Missing(caller, current, ModelAction.Update), "change this model's tier");
            }
            else if (!caller.IsUser(current.Owner) && !caller.IsAdmin)
            {
                Need(missing, "ownership of the model", "publish this model");
            }
            foreach (var permission in ModelAccess.RequiredToPublish(next.Visibility, next.Tier))
            {
                Need(missing, caller.IsAdmin || caller.Has(permission) ? null : permission, $"make this a {Describe(next)} model");
            }
        }
        if (current.ExpiresAt != next.ExpiresAt)
        {
            Need(missing, ModelAccess.Missing(caller, current, ModelAction.Expire), "change this model's expiry");
        }
        if (HasContentChanges(current, next))
        {
            Need(missing, ModelAccess.Missing(caller, current, ModelAction.Update), "update this model");
            if (next.Featured != current.Featured && next.Visibility == ModelVisibility.Public)
            {
                Need(missing, ModelAccess.Missing(caller, next, ModelAction.Update), "feature this model");
            }
        }
        return missing;
    }

    private static void Need(List<(string Missing, string What)> missing, string? permission, string what)
    {
        if (permission is not null)
        {
            missing.Add((permission, what));
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
