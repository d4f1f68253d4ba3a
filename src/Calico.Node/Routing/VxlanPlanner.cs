using System.Net;
using System.Net.Sockets;
using Calico.Api;
using Calico.Felix.Dataplane.Vxlan;

namespace Calico.Node.Routing;

/// <summary>
/// What VXLAN needs from the routing state, per address family (IPv4: <c>vxlan.calico</c>, IPv6:
/// <c>vxlan-v6.calico</c>, as upstream's two VXLAN managers): pure, so it is unit-tested without a kernel. A node's
/// VTEP of a family is its tunnel address, MAC and BGP address of that family (IPv4: <c>ipv4VXLANTunnelAddr</c>,
/// <c>vxlanTunnelMACAddr</c>, <c>bgp.ipv4Address</c>; IPv6: <c>ipv6VXLANTunnelAddr</c>, <c>vxlanTunnelMACAddrV6</c>,
/// <c>bgp.ipv6Address</c>).
/// </summary>
internal static class VxlanPlanner
{
    /// <summary>Both families, in the order they are programmed.</summary>
    public static IReadOnlyList<AddressFamily> Families { get; } = [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6];

    /// <summary>Enabled pools of the family whose vxlanMode is Always or CrossSubnet.</summary>
    public static IReadOnlyList<IPPool> VxlanPools(RoutingState state, AddressFamily family = AddressFamily.InterNetwork) =>
        state.Pools.Where(p => p.Spec.Disabled != true && IsFamily(p.Spec.Cidr, family) && p.Spec.VxlanMode is "Always" or "CrossSubnet").ToList();

    /// <summary>True when a VXLAN pool of the family is CrossSubnet (same-subnet nodes are then routed natively).</summary>
    public static bool CrossSubnet(RoutingState state, AddressFamily family = AddressFamily.InterNetwork) =>
        VxlanPools(state, family).Any(p => p.Spec.VxlanMode == "CrossSubnet");

    /// <summary>Every other node with a complete VTEP of the family (tunnel address, MAC, node address).</summary>
    public static IReadOnlyList<RemoteVtep> RemoteVteps(RoutingState state, AddressFamily family = AddressFamily.InterNetwork)
    {
        var result = new List<RemoteVtep>();
        foreach (Api.Node node in state.Nodes)
        {
            if (node.Metadata.Name == state.NodeName || Vtep(node, family) is not { } vtep)
            {
                continue;
            }

            result.Add(new RemoteVtep(node.Metadata.Name!, vtep.Tunnel, vtep.Mac, vtep.NodeAddress));
        }

        return result;
    }

    /// <summary>Blocks of the family's VXLAN pools affine to other nodes.</summary>
    public static IReadOnlyList<RemoteBlock> RemoteBlocks(RoutingState state, AddressFamily family = AddressFamily.InterNetwork)
    {
        var pools = VxlanPools(state, family).Select(p => IPNetwork.Parse(p.Spec.Cidr)).ToList();
        var result = new List<RemoteBlock>();
        foreach (var (cidr, owner) in state.BlockOwners)
        {
            if (owner == state.NodeName || !IPNetwork.TryParse(cidr, out IPNetwork block) || !pools.Any(p => p.Contains(block.BaseAddress)))
            {
                continue;
            }

            result.Add(new RemoteBlock(block, owner));
        }

        return result;
    }

    /// <summary>(tunnel address, MAC, node address) of the family when the node has all three, each of that family.</summary>
    public static (IPAddress Tunnel, string Mac, IPAddress NodeAddress)? Vtep(Api.Node node, AddressFamily family = AddressFamily.InterNetwork)
    {
        bool v4 = family == AddressFamily.InterNetwork;
        string? tunnel = TunnelAddress(node, family);
        string? mac = Mac(node, family);
        string? address = v4 ? node.Spec.Bgp?.Ipv4Address : node.Spec.Bgp?.Ipv6Address;
        if (string.IsNullOrEmpty(tunnel) || string.IsNullOrEmpty(mac) || string.IsNullOrEmpty(address)
            || !IPAddress.TryParse(tunnel, out IPAddress? tunnelIp) || !IPAddress.TryParse(address.Split('/')[0], out IPAddress? nodeIp)
            || tunnelIp.AddressFamily != family || nodeIp.AddressFamily != family)
        {
            return null;
        }

        return (tunnelIp, mac, nodeIp);
    }

    /// <summary>The node's recorded tunnel address of the family (Node <c>ipv4VXLANTunnelAddr</c> / <c>ipv6VXLANTunnelAddr</c>).</summary>
    public static string? TunnelAddress(Api.Node node, AddressFamily family) =>
        family == AddressFamily.InterNetwork ? node.Spec.Ipv4VXLANTunnelAddr : node.Spec.Ipv6VXLANTunnelAddr;

    /// <summary>The node's recorded VTEP MAC of the family (Node <c>vxlanTunnelMACAddr</c> / <c>vxlanTunnelMACAddrV6</c>).</summary>
    public static string? Mac(Api.Node node, AddressFamily family) =>
        family == AddressFamily.InterNetwork ? node.Spec.VxlanTunnelMACAddr : node.Spec.VxlanTunnelMACAddrV6;

    /// <summary>A random locally administered unicast MAC, as upstream generates for vxlan.calico.</summary>
    public static string NewMac()
    {
        Span<byte> mac = stackalloc byte[6];
        System.Security.Cryptography.RandomNumberGenerator.Fill(mac);
        mac[0] = (byte)((mac[0] & 0xfe) | 0x02);
        return Convert.ToHexString(mac).ToLowerInvariant().Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b);
    }

    private static bool IsFamily(string cidr, AddressFamily family) =>
        cidr.Contains(':', StringComparison.Ordinal) == (family == AddressFamily.InterNetworkV6);
}
