using System.Net;
using Calico.Api;
using Calico.Felix.Dataplane.Vxlan;

namespace Calico.Node.Routing;

/// <summary>What VXLAN needs from the routing state: pure, so it is unit-tested without a kernel.</summary>
internal static class VxlanPlanner
{
    /// <summary>Enabled IPv4 pools whose vxlanMode is Always or CrossSubnet.</summary>
    public static IReadOnlyList<IPPool> VxlanPools(RoutingState state) =>
        state.Pools.Where(p => p.Spec.Disabled != true && IsV4(p.Spec.Cidr) && p.Spec.VxlanMode is "Always" or "CrossSubnet").ToList();

    public static bool CrossSubnet(RoutingState state) => VxlanPools(state).Any(p => p.Spec.VxlanMode == "CrossSubnet");

    /// <summary>Every other node with a complete VTEP (tunnel address, MAC, IPv4 node address).</summary>
    public static IReadOnlyList<RemoteVtep> RemoteVteps(RoutingState state)
    {
        var result = new List<RemoteVtep>();
        foreach (Api.Node node in state.Nodes)
        {
            if (node.Metadata.Name == state.NodeName || Vtep(node) is not { } vtep)
            {
                continue;
            }

            result.Add(new RemoteVtep(node.Metadata.Name!, vtep.Tunnel, vtep.Mac, vtep.NodeAddress));
        }

        return result;
    }

    /// <summary>Blocks of VXLAN pools affine to other nodes.</summary>
    public static IReadOnlyList<RemoteBlock> RemoteBlocks(RoutingState state)
    {
        var pools = VxlanPools(state).Select(p => IPNetwork.Parse(p.Spec.Cidr)).ToList();
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

    /// <summary>(tunnel address, MAC, node address) when the node has all three.</summary>
    public static (IPAddress Tunnel, string Mac, IPAddress NodeAddress)? Vtep(Api.Node node)
    {
        string? tunnel = node.Spec.Ipv4VXLANTunnelAddr;
        string? mac = node.Spec.VxlanTunnelMACAddr;
        string? address = node.Spec.Bgp?.Ipv4Address;
        if (string.IsNullOrEmpty(tunnel) || string.IsNullOrEmpty(mac) || string.IsNullOrEmpty(address)
            || !IPAddress.TryParse(tunnel, out IPAddress? tunnelIp) || !IPAddress.TryParse(address.Split('/')[0], out IPAddress? nodeIp))
        {
            return null;
        }

        return (tunnelIp, mac, nodeIp);
    }

    /// <summary>A random locally administered unicast MAC, as upstream generates for vxlan.calico.</summary>
    public static string NewMac()
    {
        Span<byte> mac = stackalloc byte[6];
        System.Security.Cryptography.RandomNumberGenerator.Fill(mac);
        mac[0] = (byte)((mac[0] & 0xfe) | 0x02);
        return Convert.ToHexString(mac).ToLowerInvariant().Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b);
    }

    private static bool IsV4(string cidr) => !cidr.Contains(':', StringComparison.Ordinal);
}
