using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Ipam;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>
/// The IP-in-IP tunnel address, as upstream's <c>allocateip</c>: while an enabled IPv4 pool has ipipMode Always or
/// CrossSubnet, this node holds one address from such a pool (IPAM handle <c>ipip-tunnel-addr-&lt;node&gt;</c>,
/// attributes <c>node</c> and <c>type: ipipTunnelAddress</c>, intended use Tunnel) recorded in its Node
/// (<c>spec.bgp.ipv4IPIPTunnelAddr</c>); when no pool needs it any more, the address is released and the field cleared
/// (and an emptied <c>spec.bgp</c> becomes null, as upstream). Allocated whatever the kernel can do: it is datastore state.
/// </summary>
internal sealed partial class TunnelAddressAllocator
{
    /// <summary>The IPAM handle of this node's IP-in-IP tunnel address (upstream's name).</summary>
    public static string IpipHandle(string nodeName) => "ipip-tunnel-addr-" + nodeName;

    /// <summary>The IPAM allocation attribute <c>type</c> of the IP-in-IP tunnel address (upstream's value).</summary>
    public const string IpipAttributeType = "ipipTunnelAddress";

    /// <summary>True when it changed this node's Node (the change comes back through the syncer).</summary>
    public async Task<bool> EnsureIpipAsync(RoutingState state, CancellationToken cancellationToken)
    {
        if (Gate?.SkipWhileLocked("IP-in-IP tunnel address allocation") == true)
        {
            return false;
        }

        Api.Node? self = state.Self;
        if (self is null)
        {
            return false;
        }

        IReadOnlyList<IPPool> pools = IpipPlanner.IpipPools(state);
        string handle = IpipHandle(state.NodeName);
        string? current = self.Spec.Bgp?.Ipv4IPIPTunnelAddr;
        if (string.IsNullOrEmpty(current))
        {
            current = null;
        }

        bool currentFits = current is not null && IPAddress.TryParse(current, out IPAddress? ip)
            && pools.Any(p => IPNetwork.Parse(p.Spec.Cidr).Contains(ip));
        if ((pools.Count > 0 && currentFits) || (pools.Count == 0 && current is null))
        {
            return false;
        }

        // Defensively released first (upstream does too): an earlier run may have assigned and then failed to record.
        await ipam.ReleaseByHandleAsync(handle, cancellationToken).ConfigureAwait(false);
        string? address = null;
        if (pools.Count > 0)
        {
            List<string> cidrs = pools.Select(p => p.Spec.Cidr).ToList();
            AutoAssignResult assigned = await ipam.AutoAssignAsync(new AutoAssignArgs
            {
                Num4 = 1,
                HandleId = handle,
                Hostname = state.NodeName,
                IPv4Pools = cidrs,
                IntendedUse = "Tunnel",
                Attributes = new Dictionary<string, string> { ["node"] = state.NodeName, ["type"] = IpipAttributeType },
            }, cancellationToken).ConfigureAwait(false);
            if (assigned.IPv4.Count == 0)
            {
                throw new InvalidOperationException("no address available for the IP-in-IP tunnel in pools " + string.Join(", ", cidrs));
            }

            address = assigned.IPv4[0].BaseAddress.ToString();
        }

        for (int attempt = 0; attempt < 5; attempt++)
        {
            if (await client.GetAsync(ResourceKinds.Node, null, state.NodeName, cancellationToken).ConfigureAwait(false) is not Api.Node node)
            {
                return false;
            }

            SetIpipAddress(node, address);
            OperationResult updated = await client.UpdateAsync(node, cancellationToken).ConfigureAwait(false);
            if (updated.Succeeded)
            {
                Log.IpipTunnelAddress(logger, address ?? "none");
                return true;
            }
        }

        throw new InvalidOperationException($"could not record the IP-in-IP tunnel address in Node({state.NodeName}): it kept changing");
    }

    /// <summary>Upstream's <c>updateNodeWithAddress</c> / <c>removeHostTunnelAddr</c> for IPIP.</summary>
    internal static void SetIpipAddress(Api.Node node, string? address)
    {
        if (address is not null)
        {
            node.Spec.Bgp ??= new NodeBGPSpec();
            node.Spec.Bgp.Ipv4IPIPTunnelAddr = address;
            return;
        }

        if (node.Spec.Bgp is { } bgp)
        {
            bgp.Ipv4IPIPTunnelAddr = null;
            if (bgp.AsNumber is null && string.IsNullOrEmpty(bgp.Ipv4Address) && string.IsNullOrEmpty(bgp.Ipv6Address) && string.IsNullOrEmpty(bgp.RouteReflectorClusterID))
            {
                node.Spec.Bgp = null; // an empty bgp spec is invalid (upstream nils it out too)
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(55, LogLevel.Information, "IP-in-IP tunnel address of this node: {Address}")]
        public static partial void IpipTunnelAddress(ILogger logger, string address);
    }
}
