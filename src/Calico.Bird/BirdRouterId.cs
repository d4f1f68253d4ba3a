using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Calico.Bird;

/// <summary>BGP router IDs: 32 bits, written as an IPv4 address, even on IPv6 sessions.</summary>
public static class BirdRouterId
{
    /// <summary>
    /// Upstream confd's <c>HashToIPv4</c> (<c>CALICO_ROUTER_ID=hash</c>): the first four bytes of SHA-256 of the node
    /// name, with a first byte above 223 lowered by 32 (BGP refuses multicast and reserved router IDs). The same name
    /// gives the same ID as upstream's, so a node keeps its ID when moved between the two.
    /// </summary>
    public static string Hash(string nodeName)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(nodeName), hash);
        int first = hash[0] > 223 ? hash[0] - 32 : hash[0];
        return string.Create(CultureInfo.InvariantCulture, $"{first}.{hash[1]}.{hash[2]}.{hash[3]}");
    }
}
