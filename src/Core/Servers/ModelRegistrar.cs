namespace ModelsHub.Core.Servers;

/// <summary>What registering a hub model on a server came to.</summary>
public enum RegistrationOutcome { Registered, Updated, Unchanged, BuiltIn }

/// <summary>
/// Puts a hub model's Xinference family on a server through its registration API. A name the server
/// ships with is left alone (Xinference refuses to register over a built-in name). A custom
/// registration that is there already is kept as is for a deployment; a push replaces it (unregister,
/// register) unless it is exactly what the hub registered last time, as the server's fingerprints say.
/// Xinference registers a name once ("already registered" is a 400), so a retry after a crash
/// between the call and the record finds it there.
/// </summary>
public sealed class ModelRegistrar(IXinferenceClient client)
{
    public async Task<RegistrationOutcome> EnsureAsync(InferenceServer server, XinferenceEndpoint endpoint, ModelRegistration registration,
        IReadOnlyList<XinferenceRegistration> present, bool refresh, CancellationToken cancellationToken)
    {
        var existing = present.FirstOrDefault(r => string.Equals(r.ModelName, registration.ModelName, StringComparison.Ordinal));
        if (existing is { IsBuiltin: true })
        {
            return RegistrationOutcome.BuiltIn;
        }
        if (existing is not null)
        {
            var key = XinferenceRegistrations.Key(registration.Type, registration.ModelName);
            if (!refresh || (server.Registered.TryGetValue(key, out var fingerprint) && fingerprint == registration.Fingerprint))
            {
                return RegistrationOutcome.Unchanged;
            }
            await client.UnregisterAsync(endpoint, registration.Type, registration.ModelName, cancellationToken);
            await RegisterAsync(endpoint, registration, cancellationToken);
            return RegistrationOutcome.Updated;
        }
        await RegisterAsync(endpoint, registration, cancellationToken);
        return RegistrationOutcome.Registered;
    }

    private async Task RegisterAsync(XinferenceEndpoint endpoint, ModelRegistration registration, CancellationToken cancellationToken)
    {
        try
        {
            await client.RegisterAsync(endpoint, registration.Type, registration.Body, cancellationToken);
        }
        catch (XinferenceException ex) when (ex.Status == 400 && ex.Reason.Contains("already registered", StringComparison.OrdinalIgnoreCase))
        {
            // Registered by an earlier try whose outcome was lost: it is there.
        }
    }
}
