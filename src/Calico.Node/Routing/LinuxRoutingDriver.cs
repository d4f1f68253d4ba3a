using System.Net;
using Calico.Bird;
using Calico.Felix.Dataplane.Vxlan;
using Calico.Linux.Netlink;
using Calico.Node.Kernel;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>
/// This host's routing: BGP through BIRD (unless the networking backend is not bird), VXLAN when an IPv4 or IPv6 pool
/// asks for it (tunnel address, device, FDB/ARP entries, routes to other nodes' blocks), IP-in-IP likewise (tunl0, in
/// LinuxRoutingDriver.Ipip.cs). Pools asking for a tunnel the kernel lacks (IP-in-IP here) are reported by
/// <see cref="KernelCapabilityReport"/>, not failed on every apply.
/// </summary>
internal sealed partial class LinuxRoutingDriver(
    BirdSupervisor? bird,
    TunnelAddressAllocator tunnels,
    Func<string, string, string?> secretLookup,
    int vxlanVni,
    int vxlanPort,
    KernelCapabilityReport? kernel,
    ILoggerFactory loggerFactory) : IRoutingDriver, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("routing");
    private RouteNetlink? _netlink;
    private readonly Dictionary<System.Net.Sockets.AddressFamily, VxlanManager> _vxlan = [];

    /// <summary>BIRD's router id from <c>CALICO_ROUTER_ID</c> (already resolved); null: the node's IPv4 address.</summary>
    public string? RouterId { get; init; }

    /// <summary>The steps of each apply, marked by the routing loop, here and by BIRD's supervisor (null without BIRD).</summary>
    public RoutingApplyTrace? Trace => bird?.Trace;

    /// <summary>
    /// BIRD first: a new block's announcement is what waits on this apply (issue 17), and bird.cfg is rendered from the
    /// snapshot alone, not from the MTU, the tunnel address or the tunnel devices programmed after it (a tunnel address
    /// written here comes back through the syncer as a Node update and a later apply). A configuration BIRD refuses
    /// does not hold back the rest: its failure is thrown after them.
    /// </summary>
    public async Task ApplyAsync(RoutingState state, CancellationToken cancellationToken)
    {
        Exception? birdFailure = null;
        try
        {
            await ApplyBirdAsync(state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            birdFailure = e;
        }

        try
        {
            kernel?.SetPools(state.Pools);
            UpdateMtu(state);
            await tunnels.EnsureAsync(state, cancellationToken).ConfigureAwait(false);
            ApplyVxlan(state, state.Self);
            await ApplyIpipAsync(state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (birdFailure is not null && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw new InvalidOperationException(birdFailure.Message + "; " + e.Message, e);
        }

        if (birdFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(birdFailure);
        }
    }

    private async Task ApplyBirdAsync(RoutingState state, CancellationToken cancellationToken)
    {
        Api.Node? self = state.Self;
        if (bird is not null && (self?.Spec.Bgp?.Ipv4Address is not null || self?.Spec.Bgp?.Ipv6Address is not null))
        {
            var inputs = new BirdInputs(state.NodeName, state.Nodes, state.GlobalBgp, state.NodeBgpConfigs, state.Peers, state.Pools, state.LocalBlocks)
            {
                SecretLookup = secretLookup,
                Filters = state.Filters,
                LocalWorkloads = state.LocalWorkloads,
                LogFile = bird.LogPath,
                RouterId = RouterId,
            };
            ReportMissingFilters(inputs);
            string config = BirdConfigRenderer.Render(inputs);
            bird.Trace.MarkRendered();
            await bird.ApplyAsync(config, cancellationToken).ConfigureAwait(false);
            ApplyLocalPeering(inputs);
        }
    }

    public async Task<string?> RefreshAsync(RoutingState state, CancellationToken cancellationToken)
    {
        string? repaired = bird is null ? null : await bird.EnsureRunningAsync(cancellationToken).ConfigureAwait(false);
        if (RepairLocalPeering() is > 0 and var peeringWrites)
        {
            repaired = (repaired is null ? "" : repaired + "; ") + $"local workload peering: {peeringWrites} addresses rewritten";
        }

        if (UpdateMtu(state))
        {
            // Tunnel device MTUs follow a host interface or FelixConfiguration change.
            ApplyVxlan(state, state.Self);
            await ApplyIpipAsync(state, cancellationToken).ConfigureAwait(false);
        }

        foreach (VxlanManager vxlan in _vxlan.Values)
        {
            VxlanSyncResult result = vxlan.Apply();
            if (result.Writes > 0)
            {
                repaired = (repaired is null ? "" : repaired + "; ") + $"{vxlan.DeviceName}: {result.Writes} entries rewritten";
            }
        }

        if (RefreshIpip() is { } ipip)
        {
            repaired = (repaired is null ? "" : repaired + "; ") + ipip;
        }

        return repaired;
    }

    public void Dispose() => _netlink?.Dispose();

    /// <summary>One manager per family (vxlan.calico, vxlan-v6.calico), created when a pool of the family first asks for VXLAN.</summary>
    private void ApplyVxlan(RoutingState state, Api.Node? self)
    {
        var failures = new List<string>();
        foreach (System.Net.Sockets.AddressFamily family in VxlanPlanner.Families)
        {
            bool wanted = VxlanPlanner.VxlanPools(state, family).Count > 0;
            if (!wanted && !_vxlan.ContainsKey(family))
            {
                continue;
            }

            _netlink ??= RouteNetlink.Open();
            if (!_vxlan.TryGetValue(family, out VxlanManager? vxlan))
            {
                vxlan = new VxlanManager(_netlink, family, loggerFactory.CreateLogger<VxlanManager>());
                _vxlan[family] = vxlan;
            }

            LocalVtep? local = null;
            if (wanted && self is not null && VxlanPlanner.Vtep(self, family) is { } vtep)
            {
                // vxlanMTU / vxlanMTUV6, else the host MTU minus 50 (IPv4) or 70 (IPv6), from MtuManager.
                local = new LocalVtep(vtep.Tunnel, vtep.Mac, vtep.NodeAddress, Vni: vxlanVni, Port: vxlanPort,
                    Mtu: family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? VxlanV6Mtu : VxlanMtu);
            }

            vxlan.SetLocalVtep(local);
            vxlan.SetRemoteVteps(wanted ? VxlanPlanner.RemoteVteps(state, family).ToList() : []);
            vxlan.SetRemoteBlocks(wanted ? VxlanPlanner.RemoteBlocks(state, family).ToList() : []);
            vxlan.SetMode(VxlanPlanner.CrossSubnet(state, family));
            vxlan.SetForeignPrefixes(IpipPlanner.IpipPools(state).Select(p => IPNetwork.Parse(p.Spec.Cidr)).ToList());
            VxlanSyncResult result = vxlan.Apply();
            failures.AddRange(result.Failures);
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException("VXLAN: " + string.Join("; ", failures));
        }
    }
}
