using System.Net;
using Calico.Api;
using Calico.Felix.Dataplane.Ipip;

namespace Calico.Node.Routing;

/// <summary>
/// What IP-in-IP needs from the routing state (upstream's encapsulation calculator, route resolver and
/// <c>allocateip</c> pool choice): pure, so it is unit-tested without a kernel.
/// </summary>
internal static class IpipPlanner
{
    /// <summary>Enabled IPv4 pools whose ipipMode is Always or CrossSubnet (upstream's <c>determineEnabledPoolCIDRs</c> for IPIP).</summary>
    public static IReadOnlyList<IPPool> IpipPools(RoutingState state) =>
        state.Pools.Where(p => p.Spec.Disabled != true && IsV4(p.Spec.Cidr) && p.Spec.IpipMode is "Always" or "CrossSubnet").ToList();

    /// <summary>Upstream's <c>IPIPEnabled</c>: FelixConfiguration <c>ipipEnabled</c> when set, else whether any pool asks for IP-in-IP.</summary>
    public static bool Enabled(RoutingState state, bool? ipipEnabled) => ipipEnabled ?? IpipPools(state).Count > 0;

    /// <summary>
    /// The whole desired overlay: off when IP-in-IP is not enabled or this node has no IPv4 address; otherwise this
    /// node's end (its address, tunnel address and <paramref name="mtu"/>), and every block of an IP-in-IP pool affine
    /// to another node that has an IPv4 address, routed per its pool's mode.
    /// </summary>
    public static IpipOverlay Overlay(RoutingState state, bool? ipipEnabled, int mtu)
    {
        if (!Enabled(state, ipipEnabled) || state.Self is not { } self || NodeAddress(self) is not { } nodeAddress)
        {
            return IpipOverlay.Off;
        }

        IReadOnlyList<IPPool> pools = IpipPools(state);
        var cidrs = pools.Select(p => IPNetwork.Parse(p.Spec.Cidr)).ToList();
        IPAddress? tunnel = IPAddress.TryParse(self.Spec.Bgp?.Ipv4IPIPTunnelAddr, out IPAddress? t) ? t : null;
        return new IpipOverlay(new IpipLocal(nodeAddress, tunnel, mtu), RemoteBlocks(state, pools), cidrs);
    }

    /// <summary>Blocks of IP-in-IP pools affine to other nodes, with the owner's IPv4 address and the pool's mode.</summary>
    public static IReadOnlyList<IpipBlock> RemoteBlocks(RoutingState state, IReadOnlyList<IPPool> pools)
    {
        var parsed = pools.Select(p => (Network: IPNetwork.Parse(p.Spec.Cidr), CrossSubnet: p.Spec.IpipMode == "CrossSubnet")).ToList();
        var addresses = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        foreach (Api.Node node in state.Nodes)
        {
            if (node.Metadata.Name is { } name && NodeAddress(node) is { } address)
            {
                addresses[name] = address;
            }
        }

        var result = new List<IpipBlock>();
        foreach (var (cidr, owner) in state.BlockOwners)
        {
            if (owner == state.NodeName || !IPNetwork.TryParse(cidr, out IPNetwork block)
                || block.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
                || !addresses.TryGetValue(owner, out IPAddress? nodeAddress))
            {
                continue;
            }

            foreach (var (network, crossSubnet) in parsed)
            {
                if (network.Contains(block.BaseAddress))
                {
                    result.Add(new IpipBlock(block, owner, nodeAddress, crossSubnet));
                    break;
                }
            }
        }

        return result;
    }

    /// <summary>The node's IPv4 address (<c>spec.bgp.ipv4Address</c> without its prefix length), or null.</summary>
    public static IPAddress? NodeAddress(Api.Node node)
    {
        string? address = node.Spec.Bgp?.Ipv4Address;
        return !string.IsNullOrEmpty(address) && IPAddress.TryParse(address.Split('/')[0], out IPAddress? ip)
            && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? ip : null;
    }

    private static bool IsV4(string cidr) => !cidr.Contains(':', StringComparison.Ordinal);
}
