using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;

namespace ModelsHub.Core.Servers;

/// <summary>One type's outcome on one server.</summary>
public sealed record PushTypeResult(ModelType Type, IReadOnlyList<string> Registered, IReadOnlyList<string> Updated, IReadOnlyList<string> Unchanged,
    IReadOnlyList<string> BuiltIn, IReadOnlyList<PushFailure> Failed, string? Error)
{
    public bool Succeeded => Error is null && Failed.Count == 0;
}

public sealed record PushFailure(string Model, string Reason);

/// <summary>One server's outcome: <see cref="Error"/> when it could not be reached at all.</summary>
public sealed record PushServerResult(string Server, string? Error, IReadOnlyList<PushTypeResult> Types)
{
    public bool Succeeded => Error is null && Types.All(t => t.Succeeded);
}

/// <summary>
/// "Push to servers": the hub's own models (not the ones synced from the model repository, which
/// servers have built in) go to each server through its registration API, and every server answers
/// for itself, per type: registered, updated, unchanged, built in there, or failed with the server's
/// reason. Xinference's own "Update" reports success whatever its workers did; this reports what
/// happened. The models pushed are the public, listed ones the caller may see (API models, which a
/// provider serves, have nothing to register).
/// </summary>
public sealed partial class ModelPush(InferenceServers servers, IInferenceServerStore store, IModelStore models, IXinferenceClient client,
    ModelRegistrar registrar, TimeProvider clock, ILogger<ModelPush> logger)
{
    public const int Concurrency = 8;

    public async Task<IReadOnlyList<PushServerResult>> PushAsync(Caller caller, IReadOnlyList<string>? serverNames, IReadOnlyList<ModelType>? types,
        CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to push models to inference servers.");
        }
        if (!caller.Has(Permissions.ManageServers))
        {
            throw new ForbiddenException($"To push models to inference servers you need the '{Permissions.ManageServers}' permission.");
        }
        var all = await store.ListAsync(cancellationToken);
        var targets = all.ToList();
        if (serverNames is { Count: > 0 })
        {
            var errors = new ValidationErrors();
            targets = [];
            for (var i = 0; i < serverNames.Count; i++)
            {
                var found = all.FirstOrDefault(s => s.Id == InferenceServer.IdFor(serverNames[i]));
                if (found is null) errors.Add($"servers[{i}]", $"There is no inference server '{serverNames[i]}'.");
                else if (!targets.Contains(found)) targets.Add(found);
            }
            errors.ThrowIfAny();
        }
        var pushedTypes = types is { Count: > 0 } ? types.Distinct().ToList() : ModelTypes.Xinference.ToList();
        var registrations = await RegistrationsAsync(caller, pushedTypes, cancellationToken);

        var results = new ConcurrentDictionary<string, PushServerResult>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (server, ct) => results[server.Id] = await PushToAsync(server, pushedTypes, registrations, ct));
        var ordered = targets.Select(t => results[t.Id]).ToList();
        LogPushed(logger, caller.UserId!, ordered.Count, ordered.Count(r => r.Succeeded),
            ordered.Sum(r => r.Types.Sum(t => t.Registered.Count + t.Updated.Count)), ordered.Sum(r => r.Types.Sum(t => t.Failed.Count)));
        return ordered;
    }

    /// <summary>The hub's own public, listed models of each type that the caller may see, as the registrations a server gets (null: nothing loadable).</summary>
    private async Task<Dictionary<ModelType, List<(string Name, ModelRegistration? Registration)>>> RegistrationsAsync(Caller caller,
        IReadOnlyList<ModelType> types, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var callerScope = ModelAccess.ScopeFor(caller, now);
        var everything = new ModelVisibilityScope(true, null, new HashSet<ModelTier>(), new HashSet<ModelTier>(), now);
        var result = new Dictionary<ModelType, List<(string, ModelRegistration?)>>();
        foreach (var type in types)
        {
            var list = new List<(string, ModelRegistration?)>();
            var query = new ModelQuery { Type = type, Visibility = ModelVisibility.Public, Status = ModelStatus.Active, PageSize = Paging.MaxPageSize };
            string? token = null;
            do
            {
                var page = await models.QueryAsync(query with { ContinuationToken = token }, everything, cancellationToken);
                foreach (var summary in page.Items.Where(s => s.Source != ModelSource.Upstream && ApiModels.ProviderKinds.For(s.Source) is null && callerScope.PublicTiers.Contains(s.Tier)))
                {
                    var model = await models.FindAsync(summary.Name, cancellationToken);
                    if (model is null || !model.IsListed(now) || model.RemovedUpstreamAt is not null) continue;
                    list.Add((model.Name, XinferenceRegistrations.For(model)));
                }
                token = page.ContinuationToken;
            }
            while (token is not null);
            result[type] = list.OrderBy(m => m.Item1, StringComparer.Ordinal).ToList();
        }
        return result;
    }

    private async Task<PushServerResult> PushToAsync(InferenceServer server, IReadOnlyList<ModelType> types,
        Dictionary<ModelType, List<(string Name, ModelRegistration? Registration)>> registrations, CancellationToken cancellationToken)
    {
        XinferenceEndpoint endpoint;
        try
        {
            endpoint = servers.EndpointOf(server);
        }
        catch (XinferenceException ex)
        {
            return new PushServerResult(server.Name, ex.Reason, []);
        }
        var results = new List<PushTypeResult>();
        foreach (var type in types)
        {
            IReadOnlyList<XinferenceRegistration> present;
            try
            {
                present = await client.ListRegistrationsAsync(endpoint, type, cancellationToken);
            }
            catch (XinferenceException ex) when (ex.Unreachable && results.Count == 0)
            {
                return new PushServerResult(server.Name, $"The server did not answer: {ex.Reason}", []);
            }
            catch (XinferenceException ex)
            {
                results.Add(new PushTypeResult(type, [], [], [], [], [], $"Could not list the server's {EnumNames<ModelType>.NameOf(type)} registrations ({ex.Status?.ToString() ?? "no answer"}): {ex.Reason}"));
                continue;
            }
            List<string> registered = [], updated = [], unchanged = [], builtIn = [];
            List<PushFailure> failed = [];
            var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, registration) in registrations[type])
            {
                if (registration is null)
                {
                    failed.Add(new PushFailure(name, "The model has no Xinference entry a server could load."));
                    continue;
                }
                try
                {
                    var outcome = await registrar.EnsureAsync(server, endpoint, registration, present, refresh: true, cancellationToken);
                    (outcome switch
                    {
                        RegistrationOutcome.Registered => registered,
                        RegistrationOutcome.Updated => updated,
                        RegistrationOutcome.BuiltIn => builtIn,
                        _ => unchanged,
                    }).Add(name);
                    if (outcome is RegistrationOutcome.Registered or RegistrationOutcome.Updated or RegistrationOutcome.Unchanged)
                    {
                        fingerprints[XinferenceRegistrations.Key(type, name)] = registration.Fingerprint;
                    }
                }
                catch (XinferenceException ex)
                {
                    failed.Add(new PushFailure(name, ex.Status is { } status ? $"{status}: {ex.Reason}" : ex.Reason));
                }
            }
            if (fingerprints.Any(f => !server.Registered.TryGetValue(f.Key, out var known) || known != f.Value))
            {
                server = await servers.RecordAsync(server.Name, s =>
                {
                    foreach (var (key, fingerprint) in fingerprints) s.Registered[key] = fingerprint;
                    return true;
                }, cancellationToken);
            }
            results.Add(new PushTypeResult(type, registered, updated, unchanged, builtIn, failed, null));
        }
        return new PushServerResult(server.Name, null, results);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Push by {User}: {Servers} servers, {Succeeded} without failures; {Registered} registrations, {Failed} failures")]
    private static partial void LogPushed(ILogger logger, string user, int servers, int succeeded, int registered, int failed);
}
