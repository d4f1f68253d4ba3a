using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Api;

namespace Calico.Felix.Rules;

/// <summary>
/// CIDR parsing for nft: host bits cleared (nft rejects "10.0.0.1/24"), full-length prefixes written as a plain
/// address, family 4 or 6.
/// </summary>
public static class Cidr
{
    /// <summary>
    /// Parses "10.0.0.1", "10.0.0.0/24", "fd00::/64" (no zone, no IPv4-mapped IPv6): the family, the address's bytes
    /// (4 or 16) with host bits cleared, and the prefix length (the full length when none is given).
    /// </summary>
    public static (int Family, byte[] Address, int Prefix) Parse(string cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        int slash = cidr.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? cidr : cidr[..slash];
        if (!IPAddress.TryParse(addressText, out IPAddress? address) || addressText.Contains('%', StringComparison.Ordinal))
        {
            throw new ValidationException($"error with field cidr = '{cidr}' (not an IP address or CIDR)");
        }

        int family = address.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4;
        if (family == 6 && address.IsIPv4MappedToIPv6)
        {
            throw new ValidationException($"error with field cidr = '{cidr}' (IPv4-mapped IPv6 address)");
        }

        int bits = family == 4 ? 32 : 128;
        int prefix = bits;
        if (slash >= 0 && (!int.TryParse(cidr.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            throw new ValidationException($"error with field cidr = '{cidr}' (bad prefix length)");
        }

        byte[] bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - keep));
        }

        return (family, bytes, prefix);
    }

    public static (int Family, string Text) Normalize(string cidr)
    {
        var (family, bytes, prefix) = Parse(cidr);
        string address = new IPAddress(bytes).ToString();
        return prefix == bytes.Length * 8 ? (family, address) : (family, address + "/" + prefix.ToString(CultureInfo.InvariantCulture));
    }

    public static bool TryNormalize(string cidr, out (int Family, string Text) result)
    {
        try
        {
            result = Normalize(cidr);
            return true;
        }
        catch (ValidationException)
        {
            result = default;
            return false;
        }
    }

    /// <summary>Family of a plain address (named-port members), or 0 when it is not one.</summary>
    public static int FamilyOf(string address) =>
        IPAddress.TryParse(address, out IPAddress? ip) ? (ip.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4) : 0;
}
