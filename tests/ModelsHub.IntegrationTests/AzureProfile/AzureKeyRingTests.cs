using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Infrastructure.BlobStorage;
using ModelsHub.Infrastructure.KeyVault;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>
/// The Azure profile's key ring: one blob in Azurite shared by every instance, each key wrapped by
/// Key Vault. Key Vault has no emulator, so a fake one (RSA-OAEP-256 over a local key, behind the
/// same REST operations and bearer tokens) answers the wrapper's calls.
/// </summary>
[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureKeyRingTests(AzureEmulators emulators)
{
    private const string KeyId = "https://hub-kv.vault.azure.net/keys/dataprotection";

    [Fact]
    public async Task ASecretProtectedByOneInstanceIsReadByAnotherAndTheRingHoldsNoPlainKey()
    {
        var blob = await NewKeyRingBlobAsync();
        var vault = new FakeKeyVault();

        var first = Protector(blob, vault);
        var protectedToken = first.Protect("ghp_exampletoken1234");

        // A second instance (or the same app after a restart) knows the key only through the blob and Key Vault.
        var second = Protector(blob, vault);
        Assert.Equal("ghp_exampletoken1234", second.Unprotect(protectedToken));

        var ring = XDocument.Load((await blob.DownloadContentAsync()).Value.Content.ToStream());
        var key = Assert.Single(ring.Root!.Elements("key"));
        Assert.NotNull(key.Descendants("encryptedKey").SingleOrDefault());
        Assert.Empty(key.Descendants("masterKey"));
        Assert.Equal((1, 1), (vault.Wraps, vault.Unwraps));
        Assert.All(vault.Tokens, t => Assert.Equal("Bearer vault-token", t));
    }

    [Fact]
    public async Task InstancesAddingKeysAtOnceKeepEveryKey()
    {
        var blob = await NewKeyRingBlobAsync();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() =>
        {
            var repository = new BlobKeyRingRepository(blob);
            for (var k = 0; k < 5; k++)
            {
                repository.StoreElement(new XElement("key", new XAttribute("id", $"{i}-{k}")), $"{i}-{k}");
            }
        })));
        Assert.Equal(20, new BlobKeyRingRepository(blob).GetAllElements().Select(e => e.Attribute("id")!.Value).Distinct().Count());
    }

    private async Task<BlobClient> NewKeyRingBlobAsync()
    {
        var container = new BlobContainerClient(emulators.Emulators.StorageConnectionString, "dp-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync();
        return container.GetBlobClient("keys.xml");
    }

    private static IDataProtector Protector(BlobClient blob, FakeKeyVault vault)
    {
        var wrapper = new KeyVaultKeyWrapper(new Uri(KeyId), new StaticToken(), new KeyVaultWrapperOptions { Transport = new HttpClientTransport(new HttpClient(vault)) });
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(wrapper);
        services.AddDataProtection().SetApplicationName("ModelsHub");
        services.Configure<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new BlobKeyRingRepository(blob);
            o.XmlEncryptor = new KeyVaultXmlEncryptor(wrapper);
        });
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("tests");
    }

    private sealed class StaticToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            requestContext.Scopes.SequenceEqual(["https://vault.azure.net/.default"])
                ? new AccessToken("vault-token", DateTimeOffset.UtcNow.AddHours(1))
                : throw new InvalidOperationException("Unexpected scope " + string.Join(" ", requestContext.Scopes));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>wrapkey on the versionless key answers with a versioned kid; unwrapkey is called on that kid.</summary>
    private sealed class FakeKeyVault : HttpMessageHandler
    {
        private readonly RSA _key = RSA.Create(3072);

        public int Wraps;
        public int Unwraps;
        public readonly List<string> Tokens = [];

        // Data Protection encrypts synchronously, so the wrapper's calls arrive on the synchronous path.
        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
            SendAsync(request, cancellationToken).GetAwaiter().GetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Tokens) Tokens.Add(request.Headers.Authorization?.ToString() ?? "");
            var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!;
            Assert.Equal("RSA-OAEP-256", body["alg"]!.GetValue<string>());
            Assert.Equal("api-version=7.4", request.RequestUri!.Query.TrimStart('?'));
            var value = Base64Url.DecodeFromChars(body["value"]!.GetValue<string>());
            byte[] result;
            switch (request.RequestUri.AbsolutePath)
            {
                case "/keys/dataprotection/wrapkey":
                    Interlocked.Increment(ref Wraps);
                    result = _key.Encrypt(value, RSAEncryptionPadding.OaepSHA256);
                    break;
                case "/keys/dataprotection/v1/unwrapkey":
                    Interlocked.Increment(ref Unwraps);
                    result = _key.Decrypt(value, RSAEncryptionPadding.OaepSHA256);
                    break;
                default:
                    return new HttpResponseMessage(HttpStatusCode.NotFound);
            }
            var answer = JsonSerializer.Serialize(new { kid = KeyId + "/v1", value = Base64Url.EncodeToString(result) });
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }
    }
}
