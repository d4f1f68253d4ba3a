using System.Net;
using Calico.Linux.Netlink;

namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>Routes to remote blocks: through the tunnel (onlink via the remote tunnel IP) or, CrossSubnet, natively.</summary>
public sealed partial class VxlanManager
{
    private const uint MainTable = 254;
    private const byte TypeUnicast = 1;

    /// <summary>
    /// One dump of the main table's protocol-80 routes of the family. Ours = unicast, protocol 80, through the device
    /// or with a gateway through the parent (or the parent of an earlier Apply, when it moved); only those are
    /// replaced or removed.
    /// </summary>
    private void SyncRoutes(
        int deviceIndex,
        int parentIndex,
        int formerParentIndex,
        IReadOnlyList<AddressInfo> addresses,
        Dictionary<string, RemoteVtep> remotes,
        Counters counters)
    {
        Dictionary<IPNetwork, RouteSpec> desired = DesiredRoutes(deviceIndex, parentIndex, addresses, remotes, counters);
        IReadOnlyList<RouteInfo> kernelRoutes = _netlink.ListRoutes(new RouteFilter { Family = _family, Table = MainTable, Protocol = RouteProtocol });
        uint metric = IsIPv4 ? 0u : 1024u;
        var satisfied = new HashSet<IPNetwork>();
        var stale = new List<RouteInfo>();
        var keysInKernel = new HashSet<(IPNetwork, uint)>();
        foreach (RouteInfo route in kernelRoutes)
        {
            if (route.Type != TypeUnicast)
            {
                continue;
            }

            keysInKernel.Add((route.Destination, route.Metric));
            bool onDevice = deviceIndex != 0 && route.OutInterfaceIndex == deviceIndex;
            bool onParent = route.Gateway is not null && route.OutInterfaceIndex != 0
                && (route.OutInterfaceIndex == parentIndex || route.OutInterfaceIndex == formerParentIndex);
            if (!onDevice && !onParent)
            {
                continue;
            }

            if (onParent && !desired.ContainsKey(route.Destination) && _foreignPrefixes.Any(p => p.Contains(route.Destination.BaseAddress)))
            {
                continue; // another manager's native route (IP-in-IP CrossSubnet)
            }

            if (desired.TryGetValue(route.Destination, out RouteSpec? spec)
                && route.OutInterfaceIndex == spec.OutInterfaceIndex
                && Equals(route.Gateway, spec.Gateway)
                && route.OnLink == spec.OnLink
                && route.Metric == metric)
            {
                satisfied.Add(route.Destination);
            }
            else
            {
                stale.Add(route);
            }
        }

        var written = new HashSet<(IPNetwork, uint)>();
        foreach ((IPNetwork destination, RouteSpec spec) in desired)
        {
            if (satisfied.Contains(destination))
            {
                counters.RoutesUnchanged++;
                continue;
            }

            if (Try(counters, () => _netlink.ReplaceRoute(spec)))
            {
                counters.RoutesWritten++;
                written.Add((destination, metric));
                VxlanLog.RouteProgrammed(_logger, destination, spec.Gateway!, spec.OutInterfaceIndex == deviceIndex ? DeviceName : "parent", keysInKernel.Contains((destination, metric)) ? "replaced" : "added");
            }
        }

        foreach (RouteInfo route in stale)
        {
            // A replace above overwrote this very route (same destination and metric): it is gone already.
            if (written.Contains((route.Destination, route.Metric)))
            {
                continue;
            }

            bool removed = false;
            if (Try(counters, () => removed = _netlink.TryDeleteRoute(route)) && removed)
            {
                counters.RoutesRemoved++;
            }
        }
    }

    private Dictionary<IPNetwork, RouteSpec> DesiredRoutes(
        int deviceIndex,
        int parentIndex,
        IReadOnlyList<AddressInfo> addresses,
        Dictionary<string, RemoteVtep> remotes,
        Counters counters)
    {
        var desired = new Dictionary<IPNetwork, RouteSpec>();
        if (deviceIndex == 0)
        {
            return desired;
        }

        var ownerByCidr = new Dictionary<IPNetwork, string>();
        foreach (RemoteBlock block in _blocks)
        {
            // Two nodes claiming one block (seen mid-update): the ordinal-first wins, whatever the order of arrival.
            if (!ownerByCidr.TryGetValue(block.Cidr, out string? owner) || string.CompareOrdinal(block.Node, owner) < 0)
            {
                ownerByCidr[block.Cidr] = block.Node;
            }
        }

        foreach ((IPNetwork cidr, string node) in ownerByCidr)
        {
            if (!remotes.TryGetValue(node, out RemoteVtep? vtep))
            {
                counters.BlocksWithoutVtep++;
                continue;
            }

            desired[cidr] = _crossSubnet && IsInParentSubnet(vtep.NodeAddress, parentIndex, addresses)
                ? new RouteSpec(cidr, parentIndex) { Gateway = vtep.NodeAddress, Protocol = RouteProtocol }
                : new RouteSpec(cidr, deviceIndex) { Gateway = vtep.TunnelAddress, OnLink = true, Protocol = RouteProtocol };
        }

        return desired;
    }

    /// <summary>True when one of the parent's global addresses has <paramref name="node"/> in its subnet.</summary>
    private static bool IsInParentSubnet(IPAddress node, int parentIndex, IReadOnlyList<AddressInfo> addresses)
    {
        foreach (AddressInfo address in addresses)
        {
            if (address.InterfaceIndex == parentIndex
                && address.Scope != ScopeLink
                && address.Address.AddressFamily == node.AddressFamily
                && SameSubnet(address.Address, node, address.PrefixLength))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameSubnet(IPAddress a, IPAddress b, int prefixLength)
    {
        Span<byte> left = stackalloc byte[16];
        Span<byte> right = stackalloc byte[16];
        if (!a.TryWriteBytes(left, out int length) || !b.TryWriteBytes(right, out _))
        {
            return false;
        }

        int fullBytes = prefixLength / 8;
        if (!left[..fullBytes].SequenceEqual(right[..fullBytes]))
        {
            return false;
        }

        int remainingBits = prefixLength % 8;
        if (remainingBits == 0 || fullBytes >= length)
        {
            return true;
        }

        int mask = 0xFF << (8 - remainingBits) & 0xFF;
        return (left[fullBytes] & mask) == (right[fullBytes] & mask);
    }

    private sealed class Counters
    {
        public bool DeviceCreated { get; set; }

        public bool DeviceRemoved { get; set; }

        public int DeviceUpdates { get; set; }

        public int NeighborsWritten { get; set; }

        public int NeighborsRemoved { get; set; }

        public int FdbWritten { get; set; }

        public int FdbRemoved { get; set; }

        public int RoutesWritten { get; set; }

        public int RoutesRemoved { get; set; }

        public int RoutesUnchanged { get; set; }

        public int BlocksWithoutVtep { get; set; }

        public List<string> Failures { get; } = [];

        public void Fail(Microsoft.Extensions.Logging.ILogger logger, string failure)
        {
            Failures.Add(failure);
            VxlanLog.Failed(logger, failure);
        }

        public VxlanSyncResult ToResult(TimeSpan duration) => new(
            DeviceCreated, DeviceRemoved, DeviceUpdates, NeighborsWritten, NeighborsRemoved, FdbWritten, FdbRemoved,
            RoutesWritten, RoutesRemoved, RoutesUnchanged, BlocksWithoutVtep, Failures, duration);
    }
}
