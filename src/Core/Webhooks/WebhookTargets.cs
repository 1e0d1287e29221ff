using System.Net;
using System.Net.Sockets;

namespace ModelsHub.Core.Webhooks;

/// <summary>Resolves a host name to its addresses (DNS); a port so the SSRF rules are tested with chosen answers.</summary>
public interface IAddressResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>
/// The SSRF rules for webhook targets: an absolute https URL (http only where allowed), no credentials in
/// it, and no loopback, link-local, private, shared or reserved address, neither written in the URL nor
/// among the addresses its host resolves to. The sender applies <see cref="IsPublic"/> again to the
/// addresses it connects to, so a name that resolves differently at send time is caught too.
/// </summary>
public static class WebhookTargets
{
    public const int MaxUrlLength = 2048;

    /// <summary>What is wrong with <paramref name="text"/> as a target, or null when its text is acceptable.</summary>
    public static string? CheckText(string text, bool allowHttp, bool allowPrivate, out Uri? uri)
    {
        uri = null;
        if (text.Length > MaxUrlLength)
        {
            return $"Must be at most {MaxUrlLength} characters.";
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http") || string.IsNullOrEmpty(parsed.Host))
        {
            return "Must be an absolute https:// URL.";
        }
        if (parsed.Scheme == "http" && !allowHttp)
        {
            return "Must use https:// (http:// is allowed only in Development, or with Webhooks:AllowHttp).";
        }
        if (parsed.UserInfo.Length > 0)
        {
            return "Must not carry a user name or password; use the webhook's secret to authenticate the hub.";
        }
        if (parsed.Fragment.Length > 0)
        {
            return "Must not have a #fragment.";
        }
        uri = parsed;
        if (allowPrivate)
        {
            return null;
        }
        var host = parsed.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "Must not point at this machine (localhost); see Webhooks:AllowPrivateTargets.";
        }
        if (IPAddress.TryParse(parsed.HostNameType == UriHostNameType.IPv6 ? host.Trim('[', ']') : host, out var literal) && !IsPublic(literal))
        {
            return $"Must not point at a loopback, link-local or private address ({literal}); see Webhooks:AllowPrivateTargets.";
        }
        return null;
    }

    /// <summary>What is wrong with the addresses a target's host resolves to, or null when all are public.</summary>
    public static string? CheckAddresses(string host, IReadOnlyList<IPAddress> addresses) =>
        addresses.FirstOrDefault(a => !IsPublic(a)) is { } blocked
            ? $"'{host}' resolves to {blocked}, a loopback, link-local or private address; see Webhooks:AllowPrivateTargets."
            : null;

    /// <summary>Whether the address is a public unicast one (not loopback, link-local, private, shared, multicast or reserved).</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0                                   // "this network"
                || b[0] == 10                                    // private
                || b[0] == 127                                   // loopback
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)    // shared (carrier-grade NAT)
                || (b[0] == 169 && b[1] == 254)                  // link-local (cloud metadata endpoints)
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)     // private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)       // IETF protocol assignments
                || (b[0] == 192 && b[1] == 0 && b[2] == 2)       // documentation
                || (b[0] == 192 && b[1] == 168)                  // private
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))   // benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)    // documentation
                || (b[0] == 203 && b[1] == 0 && b[2] == 113)     // documentation
                || b[0] >= 224);                                 // multicast, reserved, broadcast
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Loopback) || address.Equals(IPAddress.IPv6Any)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast)
            {
                return false;
            }
            var b = address.GetAddressBytes();
            if ((b[0] & 0xfe) == 0xfc)                            // unique local fc00::/7
            {
                return false;
            }
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)   // NAT64 64:ff9b::/96: judge the IPv4 inside
            {
                return IsPublic(new IPAddress(b[12..16]));
            }
            if (b[0] == 0x20 && b[1] == 0x02)                      // 6to4 2002::/16: the IPv4 inside
            {
                return IsPublic(new IPAddress(b[2..6]));
            }
            return !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);   // documentation 2001:db8::/32
        }
        return false;
    }
}

/// <summary>The sender refused to connect: the target resolved to an address the SSRF rules forbid.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);
