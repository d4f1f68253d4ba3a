using System.Net;
using System.Net.Sockets;
using Calico.Api;
using Calico.Client;
using Calico.Ipam;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>
/// Upstream's tunnel address allocation for VXLAN (<c>node/pkg/allocateip</c>), per address family: while an enabled
/// pool of the family has vxlanMode Always or CrossSubnet, this node holds one address from such a pool, recorded with a
/// MAC in its Node. IPv4: IPAM handle <c>vxlan-tunnel-addr-&lt;node&gt;</c>, attribute type
/// <c>vxlanTunnelAddress</c>, Node <c>ipv4VXLANTunnelAddr</c> and <c>vxlanTunnelMACAddr</c>; IPv6: handle
/// <c>vxlan-v6-tunnel-addr-&lt;node&gt;</c>, type <c>vxlanV6TunnelAddress</c>, Node <c>ipv6VXLANTunnelAddr</c> and
/// <c>vxlanTunnelMACAddrV6</c>. When no pool of the family needs it any more, the address is released and both fields
/// cleared. Other nodes learn this VTEP from the Node.
/// </summary>
internal sealed partial class TunnelAddressAllocator(ResourceClient client, IpamClient ipam, ILogger logger)
{
    /// <summary>While the datastore is locked (a migration), allocation is skipped; the routing loop applies again on unlock.</summary>
    public Startup.DatastoreReadyGate? Gate { get; init; }

    /// <summary>True when it changed this node's Node (the change comes back through the syncer).</summary>
    public async Task<bool> EnsureAsync(RoutingState state, CancellationToken cancellationToken)
    {
        if (Gate?.SkipWhileLocked("tunnel address allocation") == true)
        {
            return false;
        }

        bool changed = false;
        foreach (AddressFamily family in VxlanPlanner.Families)
        {
            changed |= await EnsureAsync(state, family, cancellationToken).ConfigureAwait(false);
        }

        return changed;
    }

    /// <summary>The IPAM handle of this node's VXLAN tunnel address of the family (upstream's names).</summary>
    public static string Handle(string nodeName, AddressFamily family) =>
        (family == AddressFamily.InterNetwork ? "vxlan-tunnel-addr-" : "vxlan-v6-tunnel-addr-") + nodeName;

    /// <summary>The IPAM allocation attribute <c>type</c> of the family's tunnel address (upstream's values).</summary>
    public static string AttributeType(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? "vxlanTunnelAddress" : "vxlanV6TunnelAddress";

    private async Task<bool> EnsureAsync(RoutingState state, AddressFamily family, CancellationToken cancellationToken)
    {
        Api.Node? self = state.Self;
        if (self is null)
        {
            return false;
        }

        bool v4 = family == AddressFamily.InterNetwork;
        IReadOnlyList<IPPool> pools = VxlanPlanner.VxlanPools(state, family);
        string handle = Handle(state.NodeName, family);
        string? current = VxlanPlanner.TunnelAddress(self, family);
        bool currentFits = current is not null && IPAddress.TryParse(current, out var ip)
            && pools.Any(p => IPNetwork.Parse(p.Spec.Cidr).Contains(ip));
        if (pools.Count > 0 && currentFits && !string.IsNullOrEmpty(VxlanPlanner.Mac(self, family)))
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
                List<string> cidrs = pools.Select(p => p.Spec.Cidr).ToList();
                AutoAssignResult assigned = await ipam.AutoAssignAsync(new AutoAssignArgs
                {
                    Num4 = v4 ? 1 : 0,
                    Num6 = v4 ? 0 : 1,
                    HandleId = handle,
                    Hostname = state.NodeName,
                    IPv4Pools = v4 ? cidrs : [],
                    IPv6Pools = v4 ? [] : cidrs,
                    IntendedUse = "Tunnel",
                    Attributes = new Dictionary<string, string> { ["node"] = state.NodeName, ["type"] = AttributeType(family) },
                }, cancellationToken).ConfigureAwait(false);
                IReadOnlyList<IPNetwork> addresses = v4 ? assigned.IPv4 : assigned.IPv6;
                if (addresses.Count == 0)
                {
                    throw new InvalidOperationException($"no address available for the {(v4 ? "IPv4" : "IPv6")} VXLAN tunnel in pools " + string.Join(", ", cidrs));
                }

                address = addresses[0].BaseAddress.ToString();
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

            string? mac = VxlanPlanner.Mac(node, family);
            mac = address is null ? null : (string.IsNullOrEmpty(mac) ? VxlanPlanner.NewMac() : mac);
            if (v4)
            {
                node.Spec.Ipv4VXLANTunnelAddr = address;
                node.Spec.VxlanTunnelMACAddr = mac;
            }
            else
            {
                node.Spec.Ipv6VXLANTunnelAddr = address;
                node.Spec.VxlanTunnelMACAddrV6 = mac;
            }

            OperationResult updated = await client.UpdateAsync(node, cancellationToken).ConfigureAwait(false);
            if (updated.Succeeded)
            {
                if (v4)
                {
                    Log.TunnelAddress(logger, address ?? "none");
                }
                else
                {
                    Log.TunnelAddressV6(logger, address ?? "none");
                }

                return true;
            }
        }

        throw new InvalidOperationException($"could not record the {(v4 ? "IPv4" : "IPv6")} VXLAN tunnel address in Node({state.NodeName}): it kept changing");
    }

    private static partial class Log
    {
        [LoggerMessage(50, LogLevel.Information, "VXLAN tunnel address of this node: {Address}")]
        public static partial void TunnelAddress(ILogger logger, string address);

        [LoggerMessage(51, LogLevel.Information, "IPv6 VXLAN tunnel address of this node: {Address}")]
        public static partial void TunnelAddressV6(ILogger logger, string address);
    }
}
