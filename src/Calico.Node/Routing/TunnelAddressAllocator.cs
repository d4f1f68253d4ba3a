using Calico.Api;
using Calico.Client;
using Calico.Ipam;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>
/// Upstream's tunnel address allocation for VXLAN: while an enabled IPv4 pool has vxlanMode Always or CrossSubnet,
/// this node holds one address from such a pool (IPAM handle <c>vxlan-tunnel-addr-&lt;node&gt;</c>) recorded with a
/// MAC in its Node (<c>ipv4VXLANTunnelAddr</c>, <c>vxlanTunnelMACAddr</c>); when no pool needs it any more, the address
/// is released and the fields cleared. Other nodes learn this VTEP from the Node.
/// </summary>
internal sealed partial class TunnelAddressAllocator(ResourceClient client, IpamClient ipam, ILogger logger)
{
    /// <summary>True when it changed this node's Node (the change comes back through the syncer).</summary>
    public async Task<bool> EnsureAsync(RoutingState state, CancellationToken cancellationToken)
    {
        Api.Node? self = state.Self;
        if (self is null)
        {
            return false;
        }

        IReadOnlyList<IPPool> pools = VxlanPlanner.VxlanPools(state);
        string handle = "vxlan-tunnel-addr-" + state.NodeName;
        string? current = self.Spec.Ipv4VXLANTunnelAddr;
        bool currentFits = current is not null && System.Net.IPAddress.TryParse(current, out var ip)
            && pools.Any(p => System.Net.IPNetwork.Parse(p.Spec.Cidr).Contains(ip));
        if (pools.Count > 0 && currentFits && !string.IsNullOrEmpty(self.Spec.VxlanTunnelMACAddr))
        {
            return false;
        }

        if (pools.Count == 0 && current is null)
        {
            return false;
        }

        string? address = null;
        if (pools.Count > 0)
        {
            if (!currentFits)
            {
                await ipam.ReleaseByHandleAsync(handle, cancellationToken).ConfigureAwait(false);
                AutoAssignResult assigned = await ipam.AutoAssignAsync(new AutoAssignArgs
                {
                    Num4 = 1,
                    HandleId = handle,
                    Hostname = state.NodeName,
                    IPv4Pools = pools.Select(p => p.Spec.Cidr).ToList(),
                    IntendedUse = "Tunnel",
                    Attributes = new Dictionary<string, string> { ["node"] = state.NodeName, ["type"] = "vxlanTunnelAddress" },
                }, cancellationToken).ConfigureAwait(false);
                if (assigned.IPv4.Count == 0)
                {
                    throw new InvalidOperationException("no address available for the VXLAN tunnel in pools " + string.Join(", ", pools.Select(p => p.Spec.Cidr)));
                }

                address = assigned.IPv4[0].BaseAddress.ToString();
            }
            else
            {
                address = current;
            }
        }
        else
        {
            await ipam.ReleaseByHandleAsync(handle, cancellationToken).ConfigureAwait(false);
        }

        for (int attempt = 0; attempt < 5; attempt++)
        {
            if (await client.GetAsync(ResourceKinds.Node, null, state.NodeName, cancellationToken).ConfigureAwait(false) is not Api.Node node)
            {
                return false;
            }

            node.Spec.Ipv4VXLANTunnelAddr = address;
            node.Spec.VxlanTunnelMACAddr = address is null ? null : (string.IsNullOrEmpty(node.Spec.VxlanTunnelMACAddr) ? VxlanPlanner.NewMac() : node.Spec.VxlanTunnelMACAddr);
            OperationResult updated = await client.UpdateAsync(node, cancellationToken).ConfigureAwait(false);
            if (updated.Succeeded)
            {
                Log.TunnelAddress(logger, address ?? "none");
                return true;
            }
        }

        throw new InvalidOperationException($"could not record the VXLAN tunnel address in Node({state.NodeName}): it kept changing");
    }

    private static partial class Log
    {
        [LoggerMessage(50, LogLevel.Information, "VXLAN tunnel address of this node: {Address}")]
        public static partial void TunnelAddress(ILogger logger, string address);
    }
}
