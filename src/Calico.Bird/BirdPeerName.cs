using System.Net;
using System.Text.RegularExpressions;

namespace Calico.Bird;

/// <summary>What a Calico BGP protocol name says about its peer: <c>Mesh_10_0_0_2</c> → 10.0.0.2, node-to-node mesh.</summary>
/// <param name="Address">The peer's IP address.</param>
/// <param name="PeerType">As calicoctl prints it: <c>node-to-node mesh</c>, <c>global</c> or <c>node specific</c>.</param>
/// <param name="IsIPv6">The session's family.</param>
public sealed partial record BirdPeerName(string Address, string PeerType, bool IsIPv6)
{
    /// <summary>
    /// Decodes a protocol name, or null for one that is not a Calico peering. A <c>_port_N</c> suffix is dropped.
    /// IPv4 names have exactly four decimal parts; anything else is read as IPv6 with "_" for ":".
    /// </summary>
    public static BirdPeerName? TryDecode(string protocolName)
    {
        ArgumentNullException.ThrowIfNull(protocolName);
        var match = NamePattern().Match(protocolName);
        if (!match.Success)
        {
            return null;
        }

        var type = match.Groups["kind"].Value switch
        {
            "Mesh" => "node-to-node mesh",
            "Global" => "global",
            _ => "node specific",
        };
        var encoded = match.Groups["ip"].Value;
        var dotted = encoded.Replace('_', '.');
        if (Api.Cidr.TryParseAddress(dotted, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return new BirdPeerName(dotted, type, IsIPv6: false);
        }

        var colons = encoded.Replace('_', ':');
        return IPAddress.TryParse(colons, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? new BirdPeerName(colons, type, IsIPv6: true)
            : null;
    }

    [GeneratedRegex(@"^(?<kind>Mesh|Global|Node)_(?<ip>.+?)(_port_\d+)?$")]
    private static partial Regex NamePattern();
}
