using System.Net;
using System.Net.Sockets;
using Calico.Api;
using Calico.Api.Serialization;
using Calico.Bird;

namespace Calico.Node.Startup;

/// <summary>
/// Upstream's <c>AS</c> (this node's <c>spec.bgp.asNumber</c>, written at every start when set; ignored with
/// <c>CALICO_NETWORKING_BACKEND=none</c>, as upstream's <c>configureASNumber</c>) and <c>CALICO_ROUTER_ID</c> (BIRD's
/// router id: an IPv4 address, or <c>hash</c> for confd's hash of the node name; unset: the node's IPv4 address).
/// </summary>
/// <param name="AsNumber">The AS to write on the Node; null leaves the Node's (or the global) AS.</param>
/// <param name="RouterId">The resolved router id; null uses the node's IPv4 address.</param>
internal sealed record BgpStartupSettings(uint? AsNumber, string? RouterId)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the variable and its value.</summary>
    public static BgpStartupSettings Parse(IReadOnlyDictionary<string, string> environment, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(environment);
        uint? asNumber = null;
        if (EnvironmentValues.Get(environment, "AS") is { } asText)
        {
            // Plain ("64512") or dotted ("1.10") notation, as numorstring.ASNumberFromString; AS 0 is reserved (RFC 7607).
            if (!AsNumberConverter.TryParse(asText.Trim(), out uint parsed) || parsed == 0)
            {
                throw EnvironmentValues.Bad("AS", asText, "an AS number is 1 to 4294967295, plain (64512) or dotted (1.10)");
            }

            asNumber = parsed;
        }

        if (EnvironmentValues.Get(environment, "CALICO_NETWORKING_BACKEND") == "none")
        {
            asNumber = null;
        }

        string? routerId = null;
        if (EnvironmentValues.Get(environment, "CALICO_ROUTER_ID") is { } idText)
        {
            if (idText == "hash")
            {
                routerId = BirdRouterId.Hash(nodeName);
            }
            else if (Cidr.TryParseAddress(idText, out IPAddress address) && address.AddressFamily == AddressFamily.InterNetwork && !address.Equals(IPAddress.Any))
            {
                routerId = address.ToString();
            }
            else
            {
                throw EnvironmentValues.Bad("CALICO_ROUTER_ID", idText, "expected an IPv4 address (BGP router ids are 32 bits, also for IPv6) or 'hash'");
            }
        }

        return new BgpStartupSettings(asNumber, routerId);
    }
}
