using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace ModelsHub.Infrastructure.KeyVault;

/// <summary>
/// Encrypts each Data Protection key before it is stored: the key's XML with a fresh AES-256-GCM
/// key, and that key wrapped by Key Vault (<c>DataProtection:KeyVaultKeyId</c>). Whoever can read
/// the key-ring blob still needs the identity's Key Vault permission to use a key.
/// </summary>
public sealed class KeyVaultXmlEncryptor(KeyVaultKeyWrapper wrapper) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(key, tag.Length))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        }
        CryptographicOperations.ZeroMemory(plaintext);
        var (kid, wrapped) = wrapper.Wrap(key);
        CryptographicOperations.ZeroMemory(key);
        var element = new XElement("encryptedKey",
            new XComment(" Encrypted with a key wrapped by Key Vault; see ModelsHub.Infrastructure.KeyVault. "),
            new XElement("kid", kid),
            new XElement("key", Convert.ToBase64String(wrapped)),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("value", Convert.ToBase64String(ciphertext)));
        return new EncryptedXmlInfo(element, typeof(KeyVaultXmlDecryptor));
    }
}

/// <summary>Data Protection creates this by type name (from the stored key) with the app's services.</summary>
public sealed class KeyVaultXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var wrapper = services.GetRequiredService<KeyVaultKeyWrapper>();
        string Part(string name) => encryptedElement.Element(name)?.Value ?? throw new CryptographicException($"The encrypted key has no <{name}>.");
        var key = wrapper.Unwrap(Part("kid"), Convert.FromBase64String(Part("key")));
        var ciphertext = Convert.FromBase64String(Part("value"));
        var tag = Convert.FromBase64String(Part("tag"));
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, tag.Length);
            aes.Decrypt(Convert.FromBase64String(Part("nonce")), ciphertext, tag, plaintext);
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
