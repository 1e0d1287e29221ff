using ModelsHub.Contracts.ApiModels;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Usage;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Inference;
using ModelsHub.Core.Servers;
using ModelsHub.Core.Usage;

namespace ModelsHub.Core.Deployments;

/// <summary>
/// Running deployments as call targets (registered after the API models' resolver): a deployment is
/// called at its server's OpenAI-compatible <c>/v1</c> with its model uid as the model id and the
/// server's key, and its calls are recorded with the deployment as their
/// <see cref="UsageSubject.Deployment"/>. A call may name the deployment by its id (the gateway's
/// <c>model</c>, <c>POST /api/deployments/{id}/test</c>), or name the model, which then goes to its
/// newest running deployment when it has no provider of its own.
/// </summary>
public sealed class DeploymentTargetResolver(IDeploymentStore store, InferenceServers servers) : IInferenceTargetResolver
{
    /// <summary>None: whether a model has a running deployment is in the deployment store (<see cref="ServedModelsAsync"/>), not in what a catalog listing shows.</summary>
    public IReadOnlyList<ModelQuery> Candidates { get; } = [];

    public bool Serves(ModelSummary model) => false;

    /// <summary>The models with a running deployment of a type the hub calls (chat and embedding).</summary>
    public async ValueTask<IReadOnlySet<string>> ServedModelsAsync(CancellationToken cancellationToken) =>
        (await store.ListInStatesAsync([DeploymentState.Running], null, cancellationToken))
            .Where(d => d.ModelType is ModelType.Llm or ModelType.Embedding)
            .Select(d => d.Model).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public async ValueTask<string?> ModelOfAsync(string name, CancellationToken cancellationToken) =>
        name.Length is > 0 and <= 200 ? (await store.FindAsync(name.ToLowerInvariant(), cancellationToken))?.Model : null;

    public async ValueTask<ResolvedTarget?> ResolveAsync(HubModel model, string requested, CancellationToken cancellationToken)
    {
        Deployment? deployment;
        if (string.Equals(requested, model.Name, StringComparison.OrdinalIgnoreCase))
        {
            var running = await store.QueryAsync(new DeploymentQuery(Model: model.Name, State: DeploymentState.Running, PageSize: 1), cancellationToken);
            deployment = running.Items.FirstOrDefault();
            if (deployment is null) return null;
        }
        else
        {
            deployment = await store.FindAsync(requested.ToLowerInvariant(), cancellationToken);
            if (deployment is null || !string.Equals(deployment.Model, model.Name, StringComparison.OrdinalIgnoreCase)) return null;
            if (deployment.State != DeploymentState.Running)
            {
                throw new ModelCallException(UsageErrorClass.BadRequest, deployment.State == DeploymentState.Unreachable
                    ? $"Deployment '{deployment.Id}' is unreachable: its server '{deployment.Server}' does not answer."
                    : $"Deployment '{deployment.Id}' is {Contracts.EnumNames<DeploymentState>.NameOf(deployment.State)}, not running; start it (POST /api/deployments/{deployment.Id}/start) to call it.");
            }
        }
        if (deployment.ModelType is not (ModelType.Llm or ModelType.Embedding))
        {
            throw new ModelCallException(UsageErrorClass.BadRequest,
                $"Deployment '{deployment.Id}' serves a {Contracts.EnumNames<ModelType>.NameOf(deployment.ModelType)} model; the hub calls chat (llm) and embedding deployments.");
        }
        var server = await servers.FindAsync(deployment.Server, cancellationToken)
            ?? throw new ModelCallException(UsageErrorClass.ProviderError, $"The server of deployment '{deployment.Id}' is no longer registered.");
        XinferenceEndpoint endpoint;
        try
        {
            endpoint = servers.EndpointOf(server);
        }
        catch (XinferenceException ex)
        {
            throw new ModelCallException(UsageErrorClass.Auth, ex.Message);
        }
        var target = new InferenceTarget(ProviderKind.OpenaiCompatible, Deployment.EndpointOf(server.Url), deployment.ModelUid, endpoint.ApiKey);
        return new ResolvedTarget(target, new UsageSubject(model.Name, deployment.Version ?? model.DefaultVersion, deployment.Id));
    }
}
