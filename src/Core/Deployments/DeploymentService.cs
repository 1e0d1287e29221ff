using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Downloads;
using ModelsHub.Core.Events;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Servers;
using ModelsHub.Core.Versions;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Deployments;

/// <summary>A deployment and the workflow carrying out its latest start, stop or delete (null once that is gone).</summary>
public sealed record DeploymentView(Deployment Deployment, WorkflowInstance? Workflow);

/// <summary>
/// Deploying hub models on inference servers, and starting, stopping and deleting deployments. The
/// work itself is a <see cref="DeploymentWorkflow"/> per action on the runner; this service checks
/// who may do what, keeps the document, and settles a deployment whose workflow failed or never
/// started (a crash between the two writes) whenever it is looked at.
/// </summary>
public sealed partial class DeploymentService(IDeploymentStore store, IWorkflowStore workflows, WorkflowStarter starter, IModelStore models, IVersionStore versions, InferenceServers servers, HubEvents events,
    IOptions<DeploymentOptions> options, TimeProvider clock, ILogger<DeploymentService> logger)
{
    public async Task<DeploymentView> CreateAsync(Caller caller, DeploymentInput input, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to deploy a model.");
        }
        var errors = new ValidationErrors();
        var modelName = input.Model.HasValue ? input.Model.Value : null;
        var serverName = input.Server.HasValue ? input.Server.Value : null;
        if (string.IsNullOrWhiteSpace(modelName)) errors.Add("model", "Is required: the name of the model to deploy.");
        if (string.IsNullOrWhiteSpace(serverName)) errors.Add("server", "Is required: the name of a registered inference server.");
        errors.ThrowIfAny();

        var model = await models.FindAsync(modelName!, cancellationToken);
        if (model is null || !ModelAccess.CanSee(caller, model, clock.GetUtcNow()))
        {
            throw new ValidationException("model", $"There is no model '{modelName}' you may see.");
        }
        if (!caller.Has(Permissions.ManageDeployments) && !caller.IsUser(model.Owner) && !caller.IsAdmin)
        {
            throw new ForbiddenException($"To deploy model '{model.Name}' you need the '{Permissions.ManageDeployments}' permission or to own the model.");
        }
        var server = await servers.FindAsync(serverName!, cancellationToken);
        if (server is null)
        {
            errors.Add("server", $"There is no inference server '{serverName}'.");
        }
        if (!model.Type.IsXinference())
        {
            errors.Add("model", $"Model '{model.Name}' is of type {EnumNames<ModelType>.NameOf(model.Type)}; Xinference serves llm, embedding, rerank, image, audio and video models.");
        }
        var (entries, _) = DownloadCatalog.Servable(model);
        if (model.Type.IsXinference() && entries.Length == 0)
        {
            errors.Add("model", $"Model '{model.Name}' has no Xinference entry a server could load; complete its spec first.");
        }
        var version = await ResolveVersionAsync(model, input.Version, errors, cancellationToken);
        var settings = entries.Length > 0 ? LaunchRules.Resolve(model.Type, entries[0], input, errors) : null;
        var inputFormat = Optional(input.InputFormat, "inputFormat", errors);
        var outputFormat = Optional(input.OutputFormat, "outputFormat", errors);
        errors.ThrowIfAny();

        var now = clock.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            var deployment = new Deployment
            {
                Id = NewId(model.Name),
                Model = model.Name,
                Version = version,
                Server = server!.Name,
                ModelType = model.Type,
                Engine = settings!.Engine,
                Format = settings.Format,
                SizeInBillions = settings.SizeInBillions,
                Quantization = settings.Quantization,
                Replicas = settings.Replicas,
                Gpus = settings.Gpus,
                Parameters = settings.Parameters,
                Env = settings.Env,
                InputFormat = inputFormat,
                OutputFormat = outputFormat,
                Defaults = options.Value.Defaults,
                StateChangedAt = now,
                History = [new DeploymentTransition(DeploymentState.Pending, now, $"by {caller.UserId}")],
                CreatedBy = caller.UserId!,
                CreatedAt = now,
                UpdatedAt = now,
            };
            try
            {
                deployment = await store.CreateAsync(deployment, cancellationToken);
            }
            catch (ConflictException) when (attempt < 5)
            {
                continue;
            }
            await RaiseAsync(deployment, null, caller.UserId, deleted: false);
            // The document exists before its workflow; a start that stops in between is completed by the next look.
            var workflow = await StartWorkflowAsync(deployment, cancellationToken);
            LogDeployed(logger, deployment.Id, deployment.Model, deployment.Server, caller.UserId!);
            return new DeploymentView(deployment, workflow);
        }
    }

    public async Task<DeploymentView> GetAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var deployment = await VisibleAsync(caller, id, cancellationToken);
        deployment = await SettleAsync(deployment, cancellationToken);
        return new DeploymentView(deployment, await workflows.FindAsync(deployment.WorkflowId, cancellationToken));
    }

    /// <summary>A page of the deployments the caller may see (a page may come back short when some are hidden from them).</summary>
    public async Task<Page<DeploymentView>> ListAsync(Caller caller, DeploymentQuery query, CancellationToken cancellationToken)
    {
        RequireSignIn(caller);
        var page = await store.QueryAsync(query, cancellationToken);
        var seen = new Dictionary<string, HubModel?>(StringComparer.OrdinalIgnoreCase);
        var items = new List<DeploymentView>(page.Items.Count);
        foreach (var deployment in page.Items)
        {
            if (!SeesAll(caller) && !caller.IsUser(deployment.CreatedBy))
            {
                if (!seen.TryGetValue(deployment.Model, out var model))
                {
                    seen[deployment.Model] = model = await models.FindAsync(deployment.Model, cancellationToken);
                }
                if (model is null || !ModelAccess.CanSee(caller, model, clock.GetUtcNow())) continue;
            }
            var settled = await SettleAsync(deployment, cancellationToken);
            items.Add(new DeploymentView(settled, null));
        }
        return new Page<DeploymentView>(items, page.ContinuationToken);
    }

    /// <summary>Stops the model on its server (<c>DELETE /v1/models/{uid}</c>); stopping a stopping deployment changes nothing.</summary>
    public Task<DeploymentView> StopAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        ActAsync(caller, id, DeploymentAction.Stop, cancellationToken);

    /// <summary>Launches a stopped or failed deployment again, with the same settings.</summary>
    public Task<DeploymentView> StartAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        ActAsync(caller, id, DeploymentAction.Start, cancellationToken);

    /// <summary>
    /// Stops and forgets the deployment. A stopped one (or any, with <paramref name="force"/>: its server is
    /// gone for good) is forgotten at once and null comes back; otherwise the stop runs first.
    /// </summary>
    public async Task<DeploymentView?> DeleteAsync(Caller caller, string id, bool force, CancellationToken cancellationToken)
    {
        var deployment = await ManageableAsync(caller, id, "delete", cancellationToken);
        if (force || deployment.State == DeploymentState.Stopped)
        {
            await ForgetAsync(deployment, caller.UserId, cancellationToken);
            LogForgotten(logger, deployment.Id, caller.UserId!);
            return null;
        }
        return await ActAsync(caller, id, DeploymentAction.Delete, cancellationToken);
    }

    /// <summary>The deployment as stored, or null (for the workflow, the monitor and test calls).</summary>
    public Task<Deployment?> FindAsync(string id, CancellationToken cancellationToken) => store.FindAsync(id, cancellationToken);

    /// <summary>The deployment if the caller may see it; <see cref="NotFoundException"/> otherwise.</summary>
    public async Task<Deployment> VisibleAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        RequireSignIn(caller);
        var deployment = await store.FindAsync(id, cancellationToken);
        if (deployment is null || !await MaySeeAsync(caller, deployment, cancellationToken))
        {
            throw new NotFoundException("Deployment", id);
        }
        return deployment;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored deployment (false: nothing to change), re-reading
    /// when another writer came first; null when the deployment is gone. Every change of a deployment after
    /// its creation goes through here, so a change of state is raised as its hub event once, by the write
    /// that made it (<paramref name="actor"/>: the user whose request it is, if any).
    /// </summary>
    public async Task<Deployment?> RecordAsync(string id, Func<Deployment, bool> change, CancellationToken cancellationToken, string? actor = null)
    {
        var before = (DeploymentState?)null;
        var saved = await StoredDocumentChanges.ChangeAsync(ct => store.FindAsync(id, ct), store.ReplaceAsync, d =>
        {
            before = d.State;
            if (!change(d)) return false;
            d.UpdatedAt = clock.GetUtcNow();
            return true;
        }, cancellationToken);
        if (saved is not null && saved.State != before)
        {
            await RaiseAsync(saved, before, actor, deleted: false);
        }
        return saved;
    }

    /// <summary>Forgets the deployment (its model is off the server, or its server is gone for good) and says so to subscribers.</summary>
    public async Task ForgetAsync(Deployment deployment, string? actor, CancellationToken cancellationToken)
    {
        await store.DeleteAsync(deployment.Id, null, cancellationToken);
        await RaiseAsync(deployment, deployment.State, actor, deleted: true);
    }

    private async Task RaiseAsync(Deployment deployment, DeploymentState? previous, string? actor, bool deleted)
    {
        // The change committed: its event must not be lost to a caller that went away meanwhile.
        var owner = (await models.FindAsync(deployment.Model, CancellationToken.None))?.Owner;
        await events.RaiseAsync(EventPayloads.Deployment(deployment, previous, owner, actor, clock.GetUtcNow(), deleted), CancellationToken.None);
    }

    /// <summary>
    /// A deployment as it really is: a workflow never started is started; one that failed (or ended
    /// without an outcome) leaves the deployment failed with its reason.
    /// </summary>
    public async Task<Deployment> SettleAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        if (!deployment.InProgress)
        {
            return deployment;
        }
        var workflow = await workflows.FindAsync(deployment.WorkflowId, cancellationToken);
        if (workflow is null)
        {
            await StartWorkflowAsync(deployment, cancellationToken);
            return deployment;
        }
        if (workflow.Status == WorkflowStatus.Running)
        {
            return deployment;
        }
        var generation = deployment.Generation;
        var reason = workflow.Status == WorkflowStatus.Failed
            ? (deployment.Action == DeploymentAction.Start ? "" : "Could not stop the model: ") + (workflow.LastError ?? "the deployment's workflow failed.")
            : "The deployment's workflow ended without recording an outcome.";
        return await RecordAsync(deployment.Id, d =>
        {
            if (d.Generation != generation || !d.InProgress) return false;
            d.Error = reason;
            d.Enter(DeploymentState.Failed, clock.GetUtcNow(), reason);
            return true;
        }, cancellationToken) ?? deployment;
    }

    /// <summary>Whether the caller may see the deployment: managers of deployments or servers, its deployer, and whoever may see its model.</summary>
    public async Task<bool> MaySeeAsync(Caller caller, Deployment deployment, CancellationToken cancellationToken)
    {
        if (SeesAll(caller) || caller.IsUser(deployment.CreatedBy))
        {
            return true;
        }
        var model = await models.FindAsync(deployment.Model, cancellationToken);
        return model is not null && ModelAccess.CanSee(caller, model, clock.GetUtcNow());
    }

    private static bool SeesAll(Caller caller) => caller.IsAdmin || caller.Has(Permissions.ManageDeployments) || caller.Has(Permissions.ManageServers);

    private async Task<Deployment> ManageableAsync(Caller caller, string id, string what, CancellationToken cancellationToken)
    {
        var deployment = await VisibleAsync(caller, id, cancellationToken);
        if (caller.IsAdmin || caller.Has(Permissions.ManageDeployments) || caller.IsUser(deployment.CreatedBy))
        {
            return deployment;
        }
        var model = await models.FindAsync(deployment.Model, cancellationToken);
        if (model is not null && caller.IsUser(model.Owner))
        {
            return deployment;
        }
        throw new ForbiddenException($"To {what} deployment '{deployment.Id}' you need the '{Permissions.ManageDeployments}' permission, to have deployed it, or to own its model.");
    }

    private async Task<DeploymentView> ActAsync(Caller caller, string id, DeploymentAction action, CancellationToken cancellationToken)
    {
        var deployment = await ManageableAsync(caller, id, action switch { DeploymentAction.Start => "start", DeploymentAction.Stop => "stop", _ => "delete" }, cancellationToken);
        deployment = await SettleAsync(deployment, cancellationToken);
        var now = clock.GetUtcNow();
        var conflict = (string?)null;
        var changed = await RecordAsync(deployment.Id, d =>
        {
            conflict = null;
            if (action == DeploymentAction.Start && d.State is not (DeploymentState.Stopped or DeploymentState.Failed))
            {
                conflict = $"Deployment '{d.Id}' is {EnumNames<DeploymentState>.NameOf(d.State)}; only a stopped or failed deployment can be started.";
                return false;
            }
            if (action != DeploymentAction.Start && d.State == DeploymentState.Stopped && action == DeploymentAction.Stop)
            {
                conflict = $"Deployment '{d.Id}' is already stopped.";
                return false;
            }
            if (d.Action == action && d.InProgress)
            {
                return false;
            }
            d.Generation++;
            d.Action = action;
            if (action == DeploymentAction.Start)
            {
                d.Error = null;
                d.Progress = null;
                d.Stage = null;
                d.LaunchStartedAt = null;
                d.Defaults = options.Value.Defaults;
                d.Enter(DeploymentState.Pending, now, $"start by {caller.UserId}");
            }
            else
            {
                d.Enter(DeploymentState.Stopping, now, $"{(action == DeploymentAction.Stop ? "stop" : "delete")} by {caller.UserId}");
            }
            return true;
        }, cancellationToken, caller.UserId) ?? throw new NotFoundException("Deployment", id);
        if (conflict is not null)
        {
            throw new ConflictException(conflict);
        }
        var workflow = await StartWorkflowAsync(changed, cancellationToken);
        LogAction(logger, action, changed.Id, caller.UserId!);
        return new DeploymentView(changed, workflow);
    }

    private Task<WorkflowInstance> StartWorkflowAsync(Deployment deployment, CancellationToken cancellationToken) =>
        starter.StartAsync(DeploymentWorkflow.KindName,
            deployment.Action == DeploymentAction.Start ? DeploymentWorkflow.Steps.Register : DeploymentWorkflow.Steps.Stop,
            deployment.WorkflowId,
            new Dictionary<string, string>
            {
                ["deploymentId"] = deployment.Id,
                ["generation"] = deployment.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            deployment.CreatedBy, cancellationToken);

    private async Task<string?> ResolveVersionAsync(HubModel model, Optional<string?> version, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (!version.HasValue || string.IsNullOrWhiteSpace(version.Value))
        {
            return model.DefaultVersion;
        }
        var found = await versions.FindAsync(Assets.AssetRef.Model(model.Name), version.Value, cancellationToken);
        if (found is null)
        {
            errors.Add("version", $"Model '{model.Name}' has no version '{version.Value}'.");
            return null;
        }
        return found.Label;
    }

    private static string? Optional(Optional<string?> value, string field, ValidationErrors errors)
    {
        if (!value.HasValue || string.IsNullOrWhiteSpace(value.Value)) return null;
        if (value.Value.Length > LaunchRules.MaxText)
        {
            errors.Add(field, $"Must be at most {LaunchRules.MaxText} characters.");
            return null;
        }
        return value.Value;
    }

    private static void RequireSignIn(Caller caller)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to see or manage deployments.");
        }
    }

    /// <summary>
    /// <c>{model}-{8 hex}</c> in lowercase: readable on the server's own model list, unique by its
    /// random part, and within Xinference's uid rules (at most 100 characters, never ending in <c>-rep{n}</c>).
    /// </summary>
    private static string NewId(string model)
    {
        var prefix = model.ToLowerInvariant();
        if (prefix.Length > 80) prefix = prefix[..80];
        return $"{prefix.TrimEnd('-', '.', '_')}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Deployment} of {Model} on {Server} requested by {User}")]
    private static partial void LogDeployed(ILogger logger, string deployment, string model, string server, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} of deployment {Deployment} requested by {User}")]
    private static partial void LogAction(ILogger logger, DeploymentAction action, string deployment, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Deployment} forgotten by {User}")]
    private static partial void LogForgotten(ILogger logger, string deployment, string user);
}
