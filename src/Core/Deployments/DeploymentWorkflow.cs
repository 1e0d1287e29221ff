using System.Globalization;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Servers;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Deployments;

/// <summary>
/// Carries out one start, stop or delete of a deployment on the runner. A start is
/// <c>register</c> (the server learns the model's Xinference entries when it does not know the
/// name) → <c>launch</c> (<c>POST /v1/models</c> under the deployment's own uid) → <c>follow</c>
/// (progress until the instance is READY and <c>GET /v1/models/{uid}</c> answers, or ERROR with
/// the server's reason). A stop or delete is <c>stop</c> (<c>DELETE /v1/models/{uid}</c>, then the
/// document is forgotten for a delete). Every step may run again after a crash: registering and
/// launching first look at what the server already has, and the uid is the deployment's, so a
/// repeated launch finds its own model instead of starting a second one. A step of a generation
/// that a later start or stop superseded does nothing. A server that does not answer is retried
/// with the runner's back-off; one that refuses fails the deployment with its reason.
/// </summary>
public sealed class DeploymentWorkflow(DeploymentService deployments, InferenceServers servers, IXinferenceClient client, ModelRegistrar registrar,
    IModelStore models, IOptions<DeploymentOptions> options, TimeProvider clock) : IWorkflowDefinition
{
    public const string KindName = "deployment";

    public static class Steps
    {
        public const string Register = "register";
        public const string Launch = "launch";
        public const string Follow = "follow";
        public const string Stop = "stop";
    }

    /// <summary>The longest wait between two looks at a long launch.</summary>
    public static readonly TimeSpan MaxFollowInterval = TimeSpan.FromMinutes(1);

    public string Kind => KindName;

    public string FirstStep => Steps.Register;

    public async Task<StepOutcome> RunStepAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var id = instance.Get("deploymentId") ?? throw new PermanentStepException("The workflow lost its deployment id.");
        var generation = int.Parse(instance.Get("generation") ?? "0", CultureInfo.InvariantCulture);
        var deployment = await deployments.FindAsync(id, cancellationToken);
        if (deployment is null)
        {
            return StepOutcome.Complete(note: $"Deployment {id} is gone.");
        }
        if (deployment.Generation != generation)
        {
            return StepOutcome.Complete(note: $"Superseded by generation {deployment.Generation} ({deployment.Action}).");
        }
        var server = await servers.FindAsync(deployment.Server, cancellationToken);
        return instance.Step switch
        {
            Steps.Register => await RegisterAsync(deployment, server, cancellationToken),
            Steps.Launch => await LaunchAsync(deployment, server, cancellationToken),
            Steps.Follow => await FollowAsync(deployment, server, cancellationToken),
            Steps.Stop => await StopAsync(deployment, server, cancellationToken),
            _ => throw new PermanentStepException($"Unknown step '{instance.Step}'."),
        };
    }

    private async Task<StepOutcome> RegisterAsync(Deployment deployment, InferenceServer? server, CancellationToken cancellationToken)
    {
        if (server is null)
        {
            return await FailAsync(deployment, $"Inference server '{deployment.Server}' is no longer registered.", cancellationToken);
        }
        if (await EnterAsync(deployment, DeploymentState.Registering, cancellationToken) is null)
        {
            return Superseded();
        }
        var model = await models.FindAsync(deployment.Model, cancellationToken);
        var registration = model is null ? null : XinferenceRegistrations.For(model);
        if (registration is null)
        {
            return await FailAsync(deployment, model is null
                ? $"Model '{deployment.Model}' was deleted."
                : $"Model '{deployment.Model}' has no Xinference entry a server could load.", cancellationToken);
        }
        var endpoint = servers.EndpointOf(server);
        RegistrationOutcome outcome;
        try
        {
            var present = await client.ListRegistrationsAsync(endpoint, deployment.ModelType, cancellationToken);
            outcome = await registrar.EnsureAsync(server, endpoint, registration, present, refresh: false, cancellationToken);
        }
        catch (XinferenceException ex) when (!ex.Unreachable)
        {
            return await FailAsync(deployment, $"The server refused to register model '{deployment.Model}' ({ex.Status}): {ex.Reason}", cancellationToken);
        }
        if (outcome == RegistrationOutcome.Registered)
        {
            var key = XinferenceRegistrations.Key(registration.Type, registration.ModelName);
            await servers.RecordAsync(server.Name, s =>
            {
                if (s.Registered.TryGetValue(key, out var f) && f == registration.Fingerprint) return false;
                s.Registered[key] = registration.Fingerprint;
                return true;
            }, cancellationToken);
            await deployments.RecordAsync(deployment.Id, d => Same(d, deployment) && !d.RegisteredByHub && (d.RegisteredByHub = true), cancellationToken);
        }
        var note = outcome switch
        {
            RegistrationOutcome.BuiltIn => "The server has the model built in.",
            RegistrationOutcome.Registered => "Registered the model's entries on the server.",
            _ => "The server has the model registered already.",
        };
        return StepOutcome.Continue(Steps.Launch, note: note);
    }

    private async Task<StepOutcome> LaunchAsync(Deployment deployment, InferenceServer? server, CancellationToken cancellationToken)
    {
        if (server is null)
        {
            return await FailAsync(deployment, $"Inference server '{deployment.Server}' is no longer registered.", cancellationToken);
        }
        var now = clock.GetUtcNow();
        var entered = await deployments.RecordAsync(deployment.Id, d =>
        {
            if (!Same(d, deployment)) return false;
            var changed = d.State != DeploymentState.Launching || d.LaunchStartedAt is null;
            d.LaunchStartedAt ??= now;
            d.Enter(DeploymentState.Launching, now);
            return changed;
        }, cancellationToken);
        if (entered is null || !Same(entered, deployment))
        {
            return Superseded();
        }
        var endpoint = servers.EndpointOf(server);
        var existing = await client.GetInstanceAsync(endpoint, deployment.ModelUid, cancellationToken);
        // A failed launch leaves an ERROR record behind; the uid is free again (Xinference accepts a new launch under it).
        if (existing is not null && !IsGone(existing) && !string.Equals(existing.Status, "ERROR", StringComparison.OrdinalIgnoreCase))
        {
            if (!string.Equals(existing.ModelName, deployment.Model, StringComparison.Ordinal))
            {
                return await FailAsync(deployment, $"Model uid '{deployment.ModelUid}' is in use on the server by model '{existing.ModelName}'.", cancellationToken);
            }
            return StepOutcome.Continue(Steps.Follow, note: "The server has this deployment's model already (an earlier try launched it).");
        }
        var (parameters, env) = entered.Defaults.Apply(deployment.Parameters, deployment.Env);
        var launch = new XinferenceLaunch(deployment.ModelUid, deployment.Model, deployment.ModelType, deployment.Engine, deployment.Format,
            deployment.SizeInBillions, deployment.Quantization, deployment.Replicas, deployment.Gpus, parameters, env);
        try
        {
            await client.LaunchAsync(endpoint, launch, cancellationToken);
        }
        catch (XinferenceException ex) when (ex.Status == 400 && ex.Reason.Contains("already in the model list", StringComparison.Ordinal))
        {
            // Launched by an earlier try of this step: follow it.
        }
        catch (XinferenceException ex) when (!ex.Unreachable)
        {
            return await FailAsync(deployment, $"The server refused the launch ({ex.Status}): {ex.Reason}", cancellationToken);
        }
        var current = await deployments.FindAsync(deployment.Id, cancellationToken);
        if (current is null || !Same(current, deployment))
        {
            // Stopped or deleted while the launch was on its way: take back what was launched.
            await client.TerminateAsync(endpoint, deployment.ModelUid, cancellationToken);
            return StepOutcome.Complete(note: "Superseded during the launch; the launched model was stopped again.");
        }
        return StepOutcome.Continue(Steps.Follow, note: $"Launched as {deployment.ModelUid}.");
    }

    private async Task<StepOutcome> FollowAsync(Deployment deployment, InferenceServer? server, CancellationToken cancellationToken)
    {
        if (server is null)
        {
            return await FailAsync(deployment, $"Inference server '{deployment.Server}' is no longer registered.", cancellationToken);
        }
        var endpoint = servers.EndpointOf(server);
        var instance = await client.GetInstanceAsync(endpoint, deployment.ModelUid, cancellationToken);
        if (instance is null || IsGone(instance))
        {
            return await FailAsync(deployment, $"The server no longer knows model uid '{deployment.ModelUid}': the launch ended without a reason.", cancellationToken);
        }
        if (string.Equals(instance.Status, "ERROR", StringComparison.OrdinalIgnoreCase))
        {
            return await FailAsync(deployment, instance.Error ?? "The launch failed on the server (no reason given).", cancellationToken);
        }
        var now = clock.GetUtcNow();
        if (string.Equals(instance.Status, "READY", StringComparison.OrdinalIgnoreCase)
            && await client.DescribeAsync(endpoint, deployment.ModelUid, cancellationToken) is not null)
        {
            var running = await deployments.RecordAsync(deployment.Id, d =>
            {
                if (!Same(d, deployment)) return false;
                d.Progress = 1;
                d.Stage = null;
                d.Error = null;
                d.Enter(DeploymentState.Running, now);
                return true;
            }, cancellationToken);
            return running is null || !Same(running, deployment) ? Superseded() : StepOutcome.Complete(note: "Running.");
        }
        var elapsed = now - (deployment.LaunchStartedAt ?? now);
        if (elapsed > options.Value.LaunchTimeout)
        {
            await client.TerminateAsync(endpoint, deployment.ModelUid, cancellationToken);
            return await FailAsync(deployment, $"The model did not become ready within {options.Value.LaunchTimeout}; the launch was stopped.", cancellationToken);
        }
        var progress = await client.GetProgressAsync(endpoint, deployment.ModelUid, cancellationToken);
        var rounded = Math.Round(progress.Progress, 3);
        if (deployment.Progress != rounded || deployment.Stage != progress.Stage)
        {
            await deployments.RecordAsync(deployment.Id, d =>
            {
                if (!Same(d, deployment) || d.State != DeploymentState.Launching) return false;
                d.Progress = rounded;
                d.Stage = progress.Stage;
                return true;
            }, cancellationToken);
        }
        // Look often while a launch is young, less often as it drags on (downloads take hours).
        var interval = options.Value.FollowInterval * Math.Max(1, elapsed.TotalMinutes);
        return StepOutcome.After(interval < MaxFollowInterval ? interval : MaxFollowInterval, Steps.Follow,
            note: $"{instance.Status}: {rounded:P0} ({progress.Stage ?? "no stage"}).");
    }

    private async Task<StepOutcome> StopAsync(Deployment deployment, InferenceServer? server, CancellationToken cancellationToken)
    {
        var stopped = server is null
            ? $"Inference server '{deployment.Server}' is no longer registered; nothing to stop."
            : await client.TerminateAsync(servers.EndpointOf(server), deployment.ModelUid, cancellationToken)
                ? "Stopped on the server."
                : "The server had no such model running.";
        if (deployment.Action == DeploymentAction.Delete)
        {
            await deployments.ForgetAsync(deployment, actor: null, cancellationToken);
            return StepOutcome.Complete(note: stopped + " Deployment forgotten.");
        }
        var now = clock.GetUtcNow();
        await deployments.RecordAsync(deployment.Id, d =>
        {
            if (!Same(d, deployment)) return false;
            d.Progress = null;
            d.Stage = null;
            d.Enter(DeploymentState.Stopped, now, stopped);
            return true;
        }, cancellationToken);
        return StepOutcome.Complete(note: stopped);
    }

    private async Task<Deployment?> EnterAsync(Deployment deployment, DeploymentState state, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var saved = await deployments.RecordAsync(deployment.Id, d =>
        {
            if (!Same(d, deployment) || d.State == state) return false;
            d.Enter(state, now);
            return true;
        }, cancellationToken);
        return saved is null || !Same(saved, deployment) ? null : saved;
    }

    private async Task<StepOutcome> FailAsync(Deployment deployment, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await deployments.RecordAsync(deployment.Id, d =>
        {
            if (!Same(d, deployment)) return false;
            d.Error = reason;
            d.Stage = null;
            d.Enter(DeploymentState.Failed, now, reason);
            return true;
        }, cancellationToken);
        return StepOutcome.Complete(note: "Failed: " + reason);
    }

    private static bool Same(Deployment current, Deployment expected) => current.Generation == expected.Generation;

    /// <summary>An instance that is over (a stopped model's record) does not hold the uid.</summary>
    private static bool IsGone(XinferenceInstance instance) =>
        instance.Status is "TERMINATED" or "TERMINATING";

    private static StepOutcome Superseded() => StepOutcome.Complete(note: "Superseded by a later start, stop or delete.");
}
