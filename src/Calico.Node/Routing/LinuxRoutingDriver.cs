using System.Net;
using Calico.Bird;
using Calico.Felix.Dataplane.Vxlan;
using Calico.Linux.Netlink;
using Calico.Node.Kernel;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>
/// This host's routing: BGP through BIRD (unless the networking backend is not bird), VXLAN when an IPv4 pool asks
/// for it (tunnel address, device, FDB/ARP entries, routes to other nodes' blocks), IP-in-IP likewise (tunl0, in
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
    private VxlanManager? _vxlan;

    public async Task ApplyAsync(RoutingState state, CancellationToken cancellationToken)
    {
        kernel?.SetPools(state.Pools);
        await tunnels.EnsureAsync(state, cancellationToken).ConfigureAwait(false);
        Api.Node? self = state.Self;
        if (bird is not null && (self?.Spec.Bgp?.Ipv4Address is not null || self?.Spec.Bgp?.Ipv6Address is not null))
        {
            var inputs = new BirdInputs(state.NodeName, state.Nodes, state.GlobalBgp, state.NodeBgpConfigs, state.Peers, state.Pools, state.LocalBlocks)
            {
                SecretLookup = secretLookup,
                Filters = state.Filters,
                LocalWorkloads = state.LocalWorkloads,
            };
            await bird.ApplyAsync(BirdConfigRenderer.Render(inputs), cancellationToken).ConfigureAwait(false);
        }

        ApplyVxlan(state, self);
        await ApplyIpipAsync(state, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> RefreshAsync(RoutingState state, CancellationToken cancellationToken)
    {
        string? repaired = bird is null ? null : await bird.EnsureRunningAsync(cancellationToken).ConfigureAwait(false);
        if (_vxlan is not null)
        {
            VxlanSyncResult result = _vxlan.Apply();
            if (result.Writes > 0)
            {
                repaired = (repaired is null ? "" : repaired + "; ") + $"vxlan: {result.Writes} entries rewritten";
            }
        }

        if (RefreshIpip() is { } ipip)
        {
            repaired = (repaired is null ? "" : repaired + "; ") + ipip;
        }

        return repaired;
    }

    public void Dispose() => _netlink?.Dispose();

    private void ApplyVxlan(RoutingState state, Api.Node? self)
    {
        bool wanted = VxlanPlanner.VxlanPools(state).Count > 0;
        if (!wanted && _vxlan is null)
        {
            return;
        }

        _netlink ??= RouteNetlink.Open();
        _vxlan ??= new VxlanManager(_netlink, System.Net.Sockets.AddressFamily.InterNetwork, loggerFactory.CreateLogger<VxlanManager>());
        LocalVtep? local = null;
        if (wanted && self is not null && VxlanPlanner.Vtep(self) is { } vtep)
        {
            local = new LocalVtep(vtep.Tunnel, vtep.Mac, vtep.NodeAddress, Vni: vxlanVni, Port: vxlanPort);
        }

        _vxlan.SetLocalVtep(local);
        _vxlan.SetRemoteVteps(wanted ? VxlanPlanner.RemoteVteps(state).ToList() : []);
        _vxlan.SetRemoteBlocks(wanted ? VxlanPlanner.RemoteBlocks(state).ToList() : []);
        _vxlan.SetMode(VxlanPlanner.CrossSubnet(state));
        VxlanSyncResult result = _vxlan.Apply();
        if (result.Failures.Count > 0)
        {
            throw new InvalidOperationException("VXLAN: " + string.Join("; ", result.Failures));
        }
    }
}
