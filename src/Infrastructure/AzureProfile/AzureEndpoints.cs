using System.Data.Common;

namespace ModelsHub.Infrastructure.AzureProfile;

/// <summary>
/// Checks for the endpoint settings of an Azure adapter: production names a service endpoint and
/// signs in with a managed identity; a connection string (an account key) is for emulators only.
/// </summary>
internal static class AzureEndpoints
{
    // Public, government and China clouds. A connection string naming one of these holds a real
    // account key, which the hub never takes from configuration.
    private static readonly string[] CloudSuffixes =
    [
        ".documents.azure.com", ".documents.azure.us", ".documents.azure.cn",
        ".core.windows.net", ".core.usgovcloudapi.net", ".core.chinacloudapi.cn",
    ];

    /// <summary>Null when exactly one of endpoint and connection string is set and usable; else the problem, naming the settings.</summary>
    public static string? Validate(string section, string endpointKey, string? endpoint, string? connectionString, params string[] connectionStringEndpointKeys)
    {
        var hasEndpoint = !string.IsNullOrWhiteSpace(endpoint);
        var hasConnectionString = !string.IsNullOrWhiteSpace(connectionString);
        if (hasEndpoint == hasConnectionString)
        {
            return $"Set either {section}:{endpointKey} (Azure, signed in with the managed identity) or {section}:ConnectionString (emulators only), not {(hasEndpoint ? "both" : "neither")}.";
        }
        if (hasEndpoint)
        {
            return Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
                ? null
                : $"{section}:{endpointKey} is '{endpoint}'; expected an absolute https:// address.";
        }
        return ConnectionStringProblem(section, connectionString!, connectionStringEndpointKeys);
    }

    private static string? ConnectionStringProblem(string section, string connectionString, string[] endpointKeys)
    {
        if (connectionString.Trim().Equals("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            return $"{section}:ConnectionString is not a connection string (key=value;...).";
        }
        var endpoints = endpointKeys.Where(builder.ContainsKey).Select(k => Convert.ToString(builder[k], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (endpoints.Count == 0 || builder.ContainsKey("EndpointSuffix"))
        {
            return $"{section}:ConnectionString must name the emulator's endpoint ({string.Join(" or ", endpointKeys)}); connection strings are for emulators only, use {section}'s endpoint setting in Azure.";
        }
        foreach (var value in endpoints)
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
            {
                return $"{section}:ConnectionString has an endpoint '{value}' that is not an absolute address.";
            }
            if (CloudSuffixes.Any(s => uri.Host.EndsWith(s, StringComparison.OrdinalIgnoreCase)))
            {
                return $"{section}:ConnectionString points at an Azure account ({uri.Host}); connection strings are for emulators only. In Azure set the endpoint and let the managed identity sign in.";
            }
        }
        return null;
    }
}
