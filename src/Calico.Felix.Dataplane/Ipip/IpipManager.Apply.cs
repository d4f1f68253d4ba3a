using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Calico.Linux;
using Calico.Linux.Netlink;

namespace Calico.Felix.Dataplane.Ipip;

/// <summary>The reconcile: device (create, MTU, address, up), then routes.</summary>
public sealed partial class IpipManager
{
    private const byte ScopeLink = 253;
    private const byte TypeUnicast = 1;
    private const uint MainTable = 254;

    /// <summary>
    /// Makes the kernel match the desired state: one read each of links, IPv4 addresses and protocol-80 IPv4 routes of
    /// the main table, then only the writes that differ. Kernel refusals (a kernel without ipip among them) are collected
    /// in <see cref="IpipSyncResult.Failures"/> and never stop the rest: without the device, native CrossSubnet routes
    /// are still programmed.
    /// </summary>
    public IpipSyncResult Apply()
    {
        long started = Stopwatch.GetTimestamp();
        var counters = new Counters(this);
        IReadOnlyList<LinkInfo> links = _netlink.ListLinks();
        IReadOnlyList<AddressInfo> addresses = _netlink.ListAddresses(AddressFamily.InterNetwork);
        LinkInfo? device = FindLink(links, l => l.Name == DeviceName);
        IpipOverlay desired = _desired;
        var pools = new HashSet<IPNetwork>(desired.Pools);
        var owned = new HashSet<IPNetwork>(pools);
        owned.UnionWith(_formerPools);
        if (desired.Local is not { } local)
        {
            if (device is not null)
            {
                EnsureAddress(null, device.Index, addresses, counters);
            }

            SyncRoutes(desired, device?.Index ?? 0, 0, _lastParentIndex, addresses, owned, counters);
            _lastParentIndex = 0;
        }
        else
        {
            LinkInfo? parent = FindParent(local, links, addresses, counters);
            int formerParent = _lastParentIndex;
            _lastParentIndex = parent?.Index ?? formerParent;
            device = EnsureDevice(local, parent, device, addresses, counters);
            SyncRoutes(desired, device?.Index ?? 0, parent?.Index ?? 0, formerParent, addresses, owned, counters);
        }

        _formerPools = pools;
        TimeSpan duration = Stopwatch.GetElapsedTime(started);
        IpipSyncResult result = counters.ToResult(duration);
        IpipLog.Applied(_logger, result.Writes, result.RoutesUnchanged, result.BlocksWithoutTunnel, duration.TotalMilliseconds);
        return result;
    }

    private LinkInfo? FindParent(IpipLocal local, IReadOnlyList<LinkInfo> links, IReadOnlyList<AddressInfo> addresses, Counters counters)
    {
        foreach (AddressInfo address in addresses)
        {
            if (address.Address.Equals(local.NodeAddress) && FindLink(links, l => l.Index == address.InterfaceIndex) is { } link)
            {
                return link;
            }
        }

        counters.Fail($"{DeviceName}: no interface holds the node address {local.NodeAddress} (the IP-in-IP parent): CrossSubnet routes wait for it");
        return null;
    }

    /// <summary>Creates the device when absent (upstream: an ipip link with no attributes; EEXIST is a race, fine), then MTU, address, up.</summary>
    private LinkInfo? EnsureDevice(IpipLocal local, LinkInfo? parent, LinkInfo? device, IReadOnlyList<AddressInfo> addresses, Counters counters)
    {
        if (device is null)
        {
            bool created = false;
            if (!Try(counters, () => created = _netlink.TryCreateIpip(DeviceName)))
            {
                counters.DeviceMissing = true;
                return null;
            }

            counters.DeviceCreated = created;
            if (created)
            {
                IpipLog.DeviceCreated(_logger, DeviceName);
            }

            device = _netlink.GetLink(DeviceName);
            if (device is null)
            {
                counters.DeviceMissing = true;
                counters.Fail($"{DeviceName} is missing right after it was created");
                return null;
            }
        }

        int index = device.Index;
        int mtu = local.Mtu > 0 ? local.Mtu : parent is null ? 0 : parent.Mtu - Overhead;
        if (mtu > 0 && device.Mtu != mtu && Try(counters, () => _netlink.SetLinkMtu(index, mtu)))
        {
            counters.DeviceUpdates++;
            IpipLog.MtuSet(_logger, DeviceName, mtu);
        }

        EnsureAddress(local.TunnelAddress, index, addresses, counters);

        // Up before routes: the kernel refuses an onlink route through a device that is down (ENETDOWN).
        if (!device.IsUp && Try(counters, () => _netlink.SetLinkUp(index, true)))
        {
            counters.DeviceUpdates++;
            IpipLog.SetUp(_logger, DeviceName);
        }

        return device;
    }

    /// <summary>
    /// Exactly <paramref name="tunnel"/>/32 on the device (none when null); other IPv4 addresses go (upstream's
    /// ensureAddressOnLink). The new address is added before the old ones go: removing a device's last IPv4 address
    /// makes the kernel flush the routes through it.
    /// </summary>
    private void EnsureAddress(IPAddress? tunnel, int deviceIndex, IReadOnlyList<AddressInfo> addresses, Counters counters)
    {
        bool present = tunnel is not null && addresses.Any(a => a.InterfaceIndex == deviceIndex && a.Address.Equals(tunnel) && a.PrefixLength == 32);
        if (tunnel is not null && !present && Try(counters, () => _netlink.AddAddress(deviceIndex, tunnel, 32)))
        {
            counters.DeviceUpdates++;
            IpipLog.AddressAdded(_logger, DeviceName, tunnel);
        }

        foreach (AddressInfo address in addresses)
        {
            if (address.InterfaceIndex != deviceIndex || (tunnel is not null && address.Address.Equals(tunnel) && address.PrefixLength == 32))
            {
                continue;
            }

            bool removed = false;
            if (Try(counters, () => removed = _netlink.TryDeleteAddress(deviceIndex, address.Address, address.PrefixLength)) && removed)
            {
                counters.DeviceUpdates++;
                IpipLog.AddressRemoved(_logger, DeviceName, address.Address, address.PrefixLength);
            }
        }
    }

    /// <summary>
    /// Ours: unicast protocol-80 routes of the main table through the device, or with a gateway through the parent (or
    /// the parent of an earlier Apply) to a destination inside an IP-in-IP pool (current or of the last Apply). Only
    /// those are replaced or removed.
    /// </summary>
    private void SyncRoutes(
        IpipOverlay desiredState,
        int deviceIndex,
        int parentIndex,
        int formerParentIndex,
        IReadOnlyList<AddressInfo> addresses,
        HashSet<IPNetwork> ownedPools,
        Counters counters)
    {
        Dictionary<IPNetwork, RouteSpec> desired = desiredState.Local is null ? [] : DesiredRoutes(desiredState.Blocks, deviceIndex, parentIndex, addresses, counters);
        IReadOnlyList<RouteInfo> kernelRoutes = _netlink.ListRoutes(new RouteFilter { Family = AddressFamily.InterNetwork, Table = MainTable, Protocol = RouteProtocol });
        var satisfied = new HashSet<IPNetwork>();
        var stale = new List<RouteInfo>();
        var inKernel = new HashSet<IPNetwork>();
        foreach (RouteInfo route in kernelRoutes)
        {
            if (route.Type != TypeUnicast || route.Metric != 0)
            {
                continue;
            }

            bool onDevice = deviceIndex != 0 && route.OutInterfaceIndex == deviceIndex;
            bool onParent = route.Gateway is not null && route.OutInterfaceIndex != 0
                && (route.OutInterfaceIndex == parentIndex || route.OutInterfaceIndex == formerParentIndex)
                && InAny(ownedPools, route.Destination.BaseAddress);
            if (!onDevice && !onParent)
            {
                continue;
            }

            inKernel.Add(route.Destination);
            if (desired.TryGetValue(route.Destination, out RouteSpec? spec)
                && route.OutInterfaceIndex == spec.OutInterfaceIndex && Equals(route.Gateway, spec.Gateway) && route.OnLink == spec.OnLink)
            {
                satisfied.Add(route.Destination);
            }
            else
            {
                stale.Add(route);
            }
        }

        var written = new HashSet<IPNetwork>();
        foreach ((IPNetwork destination, RouteSpec spec) in desired)
        {
            if (satisfied.Contains(destination))
            {
                counters.RoutesUnchanged++;
                continue;
            }

            // Replace: a switch between tunnel and native rewrites the same key in place, never a gap.
            if (Try(counters, () => _netlink.ReplaceRoute(spec)))
            {
                counters.RoutesWritten++;
                written.Add(destination);
                IpipLog.RouteProgrammed(_logger, destination, spec.Gateway!, spec.OutInterfaceIndex == deviceIndex ? DeviceName : "parent", inKernel.Contains(destination) ? "replaced" : "added");
            }
        }

        foreach (RouteInfo route in stale)
        {
            if (written.Contains(route.Destination))
            {
                continue; // the replace above overwrote it (same destination, metric 0)
            }

            bool removed = false;
            if (Try(counters, () => removed = _netlink.TryDeleteRoute(route)) && removed)
            {
                counters.RoutesRemoved++;
            }
        }
    }

    private Dictionary<IPNetwork, RouteSpec> DesiredRoutes(
        IReadOnlyCollection<IpipBlock> blocks, int deviceIndex, int parentIndex, IReadOnlyList<AddressInfo> addresses, Counters counters)
    {
        var byCidr = new Dictionary<IPNetwork, IpipBlock>();
        foreach (IpipBlock block in blocks)
        {
            // Two nodes claiming one block (seen mid-update): the ordinal-first wins, whatever the order of arrival.
            if (byCidr.TryGetValue(block.Cidr, out IpipBlock? other) && string.CompareOrdinal(other.Node, block.Node) <= 0)
            {
                if (other.Node != block.Node)
                {
                    IpipLog.Conflict(_logger, block.Cidr, other.Node, block.Node);
                }

                continue;
            }

            byCidr[block.Cidr] = block;
        }

        var desired = new Dictionary<IPNetwork, RouteSpec>();
        foreach ((IPNetwork cidr, IpipBlock block) in byCidr)
        {
            if (block.CrossSubnet && parentIndex != 0 && InParentSubnet(block.NodeAddress, parentIndex, addresses))
            {
                desired[cidr] = new RouteSpec(cidr, parentIndex) { Gateway = block.NodeAddress, Protocol = RouteProtocol };
            }
            else if (deviceIndex != 0)
            {
                desired[cidr] = new RouteSpec(cidr, deviceIndex) { Gateway = block.NodeAddress, OnLink = true, Protocol = RouteProtocol };
            }
            else
            {
                counters.BlocksWithoutTunnel++;
            }
        }

        return desired;
    }

    private static bool InParentSubnet(IPAddress node, int parentIndex, IReadOnlyList<AddressInfo> addresses)
    {
        foreach (AddressInfo address in addresses)
        {
            if (address.InterfaceIndex == parentIndex && address.Scope != ScopeLink && SameSubnet(address.Address, node, address.PrefixLength))
            {
                return true;
            }
        }

        return false;
    }

    private static bool InAny(HashSet<IPNetwork> pools, IPAddress address)
    {
        foreach (IPNetwork pool in pools)
        {
            if (pool.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>IPv4 only: both addresses agree on the first <paramref name="prefixLength"/> bits.</summary>
    internal static bool SameSubnet(IPAddress a, IPAddress b, int prefixLength)
    {
        if (a.AddressFamily != AddressFamily.InterNetwork || b.AddressFamily != AddressFamily.InterNetwork || prefixLength is < 0 or > 32)
        {
            return false;
        }

        Span<byte> left = stackalloc byte[4];
        Span<byte> right = stackalloc byte[4];
        a.TryWriteBytes(left, out _);
        b.TryWriteBytes(right, out _);
        uint mask = prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
        return (BinaryPrimitives.ReadUInt32BigEndian(left) & mask) == (BinaryPrimitives.ReadUInt32BigEndian(right) & mask);
    }

    private static LinkInfo? FindLink(IReadOnlyList<LinkInfo> links, Func<LinkInfo, bool> match)
    {
        foreach (LinkInfo link in links)
        {
            if (match(link))
            {
                return link;
            }
        }

        return null;
    }

    /// <summary>Runs one kernel write; a refusal is recorded (and retried by the next Apply), never aborts the rest.</summary>
    private static bool Try(Counters counters, Action write)
    {
        try
        {
            write();
            return true;
        }
        catch (NetlinkException ex)
        {
            counters.Fail(ex.Message);
            return false;
        }
    }

    private sealed class Counters(IpipManager owner)
    {
        public bool DeviceCreated { get; set; }

        public bool DeviceMissing { get; set; }

        public int DeviceUpdates { get; set; }

        public int RoutesWritten { get; set; }

        public int RoutesRemoved { get; set; }

        public int RoutesUnchanged { get; set; }

        public int BlocksWithoutTunnel { get; set; }

        public List<string> Failures { get; } = [];

        public void Fail(string failure)
        {
            Failures.Add(failure);
            IpipLog.Failed(owner._logger, failure);
        }

        public IpipSyncResult ToResult(TimeSpan duration) => new(
            DeviceCreated, DeviceMissing, DeviceUpdates, RoutesWritten, RoutesRemoved, RoutesUnchanged, BlocksWithoutTunnel, Failures, duration);
    }
}
