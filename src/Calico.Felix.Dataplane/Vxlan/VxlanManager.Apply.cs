using System.Diagnostics;
using System.Globalization;
using Calico.Linux;
using Calico.Linux.Netlink;

namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>The reconcile step for the device itself: parent, attributes, MAC, MTU, up, tunnel address.</summary>
public sealed partial class VxlanManager
{
    private const byte ScopeLink = 253;

    /// <summary>
    /// Makes the kernel match the desired state: reads links, addresses, the device's neighbours and FDB, and the
    /// protocol-80 routes once each, then (re)creates the device when an attribute that cannot change in place differs,
    /// fixes MAC/MTU/up/address in place, and writes or removes only the entries and routes that differ. Kernel
    /// refusals are collected in <see cref="VxlanSyncResult.Failures"/> and retried by the next Apply.
    /// </summary>
    public VxlanSyncResult Apply()
    {
        long started = Stopwatch.GetTimestamp();
        var counters = new Counters();
        IReadOnlyList<LinkInfo> links = _netlink.ListLinks();
        LinkInfo? device = FindLink(links, DeviceName);
        LocalVtep? local = _local;
        if (local is null)
        {
            RemoveAll(device, counters);
        }
        else
        {
            Converge(local, links, device, counters);
        }

        TimeSpan duration = Stopwatch.GetElapsedTime(started);
        var result = counters.ToResult(duration);
        VxlanLog.Applied(_logger, result.Writes, result.RoutesUnchanged, result.BlocksWithoutVtep, duration.TotalMilliseconds);
        return result;
    }

    private void Converge(LocalVtep local, IReadOnlyList<LinkInfo> links, LinkInfo? device, Counters counters)
    {
        IReadOnlyList<AddressInfo> addresses = _netlink.ListAddresses(_family);
        LinkInfo? parent = FindParent(local, links, addresses, counters);
        if (parent is null)
        {
            return;
        }

        int formerParent = _lastParentIndex;
        _lastParentIndex = parent.Index;
        int mtu = local.Mtu > 0 ? local.Mtu : parent.Mtu - Overhead;
        device = EnsureDevice(local, parent, mtu, device, counters);
        if (device is null)
        {
            return;
        }

        EnsureAddress(local, device.Index, addresses, counters);
        Dictionary<string, RemoteVtep> remotes = UsableRemotes(local);
        SyncNeighbors(device.Index, remotes, counters);
        SyncFdb(device.Index, remotes, counters);
        SyncRoutes(device.Index, parent.Index, formerParent, addresses, remotes, counters);
    }

    /// <summary>VXLAN off: the device goes (with its address, neighbours, FDB and every route through it).</summary>
    private void RemoveAll(LinkInfo? device, Counters counters)
    {
        if (device is not null)
        {
            if (Try(counters, () => _netlink.DeleteLink(device.Index)))
            {
                counters.DeviceRemoved = true;
                VxlanLog.DeviceRemoved(_logger, DeviceName);
            }
        }

        // Cross-subnet routes live on the parent, which outlives the device; the parent is known from an earlier Apply.
        if (_lastParentIndex != 0)
        {
            SyncRoutes(0, _lastParentIndex, 0, [], [], counters);
            _lastParentIndex = 0;
        }
    }

    private LinkInfo? FindParent(LocalVtep local, IReadOnlyList<LinkInfo> links, IReadOnlyList<AddressInfo> addresses, Counters counters)
    {
        if (local.ParentInterface is not null)
        {
            LinkInfo? named = FindLink(links, local.ParentInterface);
            if (named is null)
            {
                counters.Fail(_logger, $"{DeviceName}: parent interface {local.ParentInterface} does not exist");
            }

            return named;
        }

        foreach (AddressInfo address in addresses)
        {
            if (address.Address.Equals(local.NodeAddress))
            {
                foreach (LinkInfo link in links)
                {
                    if (link.Index == address.InterfaceIndex)
                    {
                        return link;
                    }
                }
            }
        }

        counters.Fail(_logger, $"{DeviceName}: no interface holds the node address {local.NodeAddress} (the VXLAN parent)");
        return null;
    }

    /// <summary>Creates the device, or re-creates it when it is not a VXLAN device with exactly our attributes.</summary>
    private LinkInfo? EnsureDevice(LocalVtep local, LinkInfo parent, int mtu, LinkInfo? device, Counters counters)
    {
        string? mismatch = device is null ? null : DescribeMismatch(device, local, parent.Index);
        if (mismatch is not null)
        {
            VxlanLog.DeviceRecreated(_logger, DeviceName, mismatch);
            if (!Try(counters, () => _netlink.DeleteLink(device!.Index)))
            {
                return null;
            }

            device = null;
        }

        if (device is null)
        {
            var spec = new VxlanSpec(DeviceName, local.Vni, local.Port)
            {
                LocalAddress = local.NodeAddress,
                ParentIndex = parent.Index,
                Learning = false,
                Mtu = mtu,
                Mac = local.Mac,
            };
            if (!Try(counters, () => _netlink.CreateVxlan(spec)))
            {
                return null;
            }

            counters.DeviceCreated = true;
            VxlanLog.DeviceCreated(_logger, DeviceName, local.Vni, local.Port, local.NodeAddress, parent.Name, mtu);
            device = _netlink.GetLink(DeviceName);
            if (device is null)
            {
                counters.Fail(_logger, $"{DeviceName} vanished right after it was created");
                return null;
            }
        }

        // MAC and MTU change in place on a live VXLAN device, so they never force a re-create.
        int index = device.Index;
        if (!string.Equals(device.Mac, local.Mac, StringComparison.Ordinal) && Try(counters, () => _netlink.SetLinkMac(index, MacAddress.Parse(local.Mac))))
        {
            counters.DeviceUpdates++;
        }

        if (device.Mtu != mtu && Try(counters, () => _netlink.SetLinkMtu(index, mtu)))
        {
            counters.DeviceUpdates++;
        }

        // Up before routes: the kernel refuses an onlink route through a device that is down (ENETDOWN), and taking a
        // device down flushes its neighbours, permanent ones included.
        if (!device.IsUp && Try(counters, () => _netlink.SetLinkUp(index, true)))
        {
            counters.DeviceUpdates++;
        }

        return device;
    }

    private static string? DescribeMismatch(LinkInfo device, LocalVtep local, int parentIndex)
    {
        if (device.Kind != "vxlan" || device.Vxlan is not { } vxlan)
        {
            return $"it is a '{device.Kind ?? "unknown"}' link, not vxlan";
        }

        if (vxlan.Vni != local.Vni)
        {
            return "VNI " + vxlan.Vni.ToString(CultureInfo.InvariantCulture) + " instead of " + local.Vni.ToString(CultureInfo.InvariantCulture);
        }

        if (vxlan.Port != local.Port)
        {
            return "port " + vxlan.Port.ToString(CultureInfo.InvariantCulture) + " instead of " + local.Port.ToString(CultureInfo.InvariantCulture);
        }

        if (!local.NodeAddress.Equals(vxlan.LocalAddress))
        {
            return $"local address {vxlan.LocalAddress?.ToString() ?? "none"} instead of {local.NodeAddress}";
        }

        if (vxlan.ParentIndex != parentIndex)
        {
            return "parent ifindex " + vxlan.ParentIndex.ToString(CultureInfo.InvariantCulture) + " instead of " + parentIndex.ToString(CultureInfo.InvariantCulture);
        }

        return vxlan.Learning ? "learning is on" : null;
    }

    /// <summary>Exactly the tunnel address as a host route prefix; other global addresses of the family go (the device is ours).</summary>
    private void EnsureAddress(LocalVtep local, int deviceIndex, IReadOnlyList<AddressInfo> addresses, Counters counters)
    {
        bool present = false;
        foreach (AddressInfo address in addresses)
        {
            if (address.InterfaceIndex != deviceIndex || address.Scope == ScopeLink)
            {
                continue;
            }

            if (address.Address.Equals(local.TunnelAddress) && address.PrefixLength == HostPrefixLength)
            {
                present = true;
            }
            else
            {
                bool removed = false;
                if (Try(counters, () => removed = _netlink.TryDeleteAddress(deviceIndex, address.Address, address.PrefixLength)) && removed)
                {
                    counters.DeviceUpdates++;
                }
            }
        }

        if (!present && Try(counters, () => _netlink.AddAddress(deviceIndex, local.TunnelAddress, HostPrefixLength, noDad: !IsIPv4)))
        {
            counters.DeviceUpdates++;
        }
    }

    private static LinkInfo? FindLink(IReadOnlyList<LinkInfo> links, string name)
    {
        foreach (LinkInfo link in links)
        {
            if (string.Equals(link.Name, name, StringComparison.Ordinal))
            {
                return link;
            }
        }

        return null;
    }

    /// <summary>Runs one kernel write; a refusal is recorded (and retried by the next Apply), never aborts the rest.</summary>
    private bool Try(Counters counters, Action write)
    {
        try
        {
            write();
            return true;
        }
        catch (NetlinkException ex)
        {
            counters.Fail(_logger, ex.Message);
            return false;
        }
    }
}
