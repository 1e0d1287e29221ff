using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ModelsHub.Infrastructure.KeyVault;

/// <summary>
/// Wraps and unwraps a symmetric key with an RSA key in Key Vault (the keys' <c>wrapkey</c> and
/// <c>unwrapkey</c> operations), signed in with the app's identity. The REST calls directly: the
/// Key Vault keys SDK is not in the package source the hub builds from.
/// </summary>
public sealed class KeyVaultKeyWrapper
{
    private const string ApiVersion = "7.4";
    private const string Algorithm = "RSA-OAEP-256";

    private readonly HttpPipeline _pipeline;

    /// <param name="keyId">The key's identifier, with or without a version (<c>https://&lt;vault&gt;.vault.azure.net/keys/&lt;name&gt;[/&lt;version&gt;]</c>).</param>
    public KeyVaultKeyWrapper(Uri keyId, TokenCredential credential, ClientOptions? options = null)
    {
        KeyId = keyId;
        // The token's audience is the vault's cloud: https://vault.azure.net for myvault.vault.azure.net.
        var scope = $"https://{keyId.Host[(keyId.Host.IndexOf('.', StringComparison.Ordinal) + 1)..]}/.default";
        _pipeline = HttpPipelineBuilder.Build(options ?? new KeyVaultWrapperOptions(), new BearerTokenAuthenticationPolicy(credential, scope));
    }

    public Uri KeyId { get; }

    /// <summary>The wrapped key and the versioned id of the key that wrapped it (needed to unwrap after a rotation).</summary>
    public (string KeyId, byte[] Wrapped) Wrap(byte[] key)
    {
        var (kid, wrapped) = Send(KeyId.AbsoluteUri.TrimEnd('/') + "/wrapkey", key);
        return (kid ?? KeyId.AbsoluteUri, wrapped);
    }

    public byte[] Unwrap(string keyId, byte[] wrapped) => Send(keyId.TrimEnd('/') + "/unwrapkey", wrapped).Value;

    private (string? Kid, byte[] Value) Send(string operationUri, byte[] value)
    {
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(new Uri(operationUri + "?api-version=" + ApiVersion));
        request.Headers.Add("Content-Type", "application/json");
        request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["alg"] = Algorithm,
            ["value"] = Base64Url.EncodeToString(value),
        }));
        // Data Protection asks synchronously, and only when a key is created or first read: rare.
        _pipeline.Send(message, CancellationToken.None);
        var response = message.Response;
        if (response.IsError)
        {
            throw new RequestFailedException(response);
        }
        using var document = JsonDocument.Parse(response.Content.ToMemory());
        var root = document.RootElement;
        return (root.TryGetProperty("kid", out var kid) ? kid.GetString() : null, Base64Url.DecodeFromChars(root.GetProperty("value").GetString()));
    }

}

/// <summary>Retries, diagnostics and transport of the Key Vault calls (the Azure SDK's defaults).</summary>
public sealed class KeyVaultWrapperOptions : ClientOptions;
