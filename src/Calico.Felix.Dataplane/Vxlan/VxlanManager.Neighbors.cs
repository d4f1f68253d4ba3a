using System.Net;
using Calico.Linux.Netlink;

namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>The static L2 state of the overlay: ARP/NDP (tunnel IP → MAC) and FDB (MAC → node IP) on the device.</summary>
public sealed partial class VxlanManager
{
    /// <summary>
    /// The remote VTEPs that can be programmed: not our own tunnel address, and one VTEP per tunnel address and per
    /// MAC (a conflict, seen mid-update, goes to the ordinal-first node so the outcome does not depend on order).
    /// </summary>
    private Dictionary<string, RemoteVtep> UsableRemotes(LocalVtep local)
    {
        var byTunnel = new Dictionary<IPAddress, RemoteVtep>();
        var byMac = new Dictionary<string, RemoteVtep>(StringComparer.Ordinal);
        foreach (RemoteVtep vtep in _remotesByNode.Values.OrderBy(v => v.Node, StringComparer.Ordinal))
        {
            if (vtep.TunnelAddress.Equals(local.TunnelAddress))
            {
                VxlanLog.Conflict(_logger, "this node", vtep.Node, "tunnel address " + vtep.TunnelAddress);
                continue;
            }

            if (byTunnel.TryGetValue(vtep.TunnelAddress, out RemoteVtep? kept) || byMac.TryGetValue(vtep.Mac, out kept))
            {
                VxlanLog.Conflict(_logger, kept.Node, vtep.Node, "tunnel address or MAC");
                continue;
            }

            byTunnel.Add(vtep.TunnelAddress, vtep);
            byMac.Add(vtep.Mac, vtep);
        }

        var usable = new Dictionary<string, RemoteVtep>(byMac.Count, StringComparer.Ordinal);
        foreach (RemoteVtep vtep in byMac.Values)
        {
            usable.Add(vtep.Node, vtep);
        }

        return usable;
    }

    private void SyncNeighbors(int deviceIndex, Dictionary<string, RemoteVtep> remotes, Counters counters)
    {
        NeighborFamily family = IsIPv4 ? NeighborFamily.IPv4 : NeighborFamily.IPv6;
        var wanted = new Dictionary<IPAddress, string>(remotes.Count);
        foreach (RemoteVtep vtep in remotes.Values)
        {
            wanted.Add(vtep.TunnelAddress, vtep.Mac);
        }

        var satisfied = new HashSet<IPAddress>();
        foreach (NeighborEntry entry in _netlink.ListNeighbors(family, deviceIndex))
        {
            if (entry.Destination is null)
            {
                continue;
            }

            if (wanted.TryGetValue(entry.Destination, out string? mac))
            {
                if (entry.IsPermanent && string.Equals(entry.Mac, mac, StringComparison.Ordinal))
                {
                    satisfied.Add(entry.Destination);
                }

                // A wrong entry for a wanted address is overwritten by the replace below.
                continue;
            }

            // Only permanent entries are written by Felix; dynamic ones (IPv6 multicast/NOARP entries the kernel makes
            // on any link) are the kernel's to age out, and deleting them would only churn every Apply.
            bool removed = false;
            if (entry.IsPermanent && Try(counters, () => removed = _netlink.TryDeleteNeighbor(entry with { Flags = 0 })) && removed)
            {
                counters.NeighborsRemoved++;
            }
        }

        foreach ((IPAddress address, string mac) in wanted)
        {
            if (!satisfied.Contains(address) && Try(counters, () => _netlink.ReplaceNeighbor(NeighborEntry.Permanent(deviceIndex, address, mac))))
            {
                counters.NeighborsWritten++;
            }
        }
    }

    private void SyncFdb(int deviceIndex, Dictionary<string, RemoteVtep> remotes, Counters counters)
    {
        var wanted = new Dictionary<string, IPAddress>(remotes.Count, StringComparer.Ordinal);
        foreach (RemoteVtep vtep in remotes.Values)
        {
            wanted.Add(vtep.Mac, vtep.NodeAddress);
        }

        var satisfied = new HashSet<string>(StringComparer.Ordinal);
        var wrong = new List<NeighborEntry>();
        foreach (NeighborEntry entry in _netlink.ListNeighbors(NeighborFamily.Bridge, deviceIndex))
        {
            if (entry.Mac is not null
                && wanted.TryGetValue(entry.Mac, out IPAddress? remote)
                && remote.Equals(entry.Destination)
                && entry.IsPermanent)
            {
                satisfied.Add(entry.Mac);
            }
            else
            {
                wrong.Add(entry);
            }
        }

        foreach ((string mac, IPAddress remote) in wanted)
        {
            if (!satisfied.Contains(mac) && Try(counters, () => _netlink.ReplaceNeighbor(NeighborEntry.FdbSelf(deviceIndex, mac, remote))))
            {
                counters.FdbWritten++;
            }
        }

        // After the replaces: a MAC's wrong remote may have been rewritten in place (then the delete finds nothing);
        // a second remote of the same MAC, or a MAC nobody wants, goes here. Each delete names its remote.
        foreach (NeighborEntry entry in wrong)
        {
            if (entry.Mac is null)
            {
                continue;
            }

            bool removed = false;
            if (Try(counters, () => removed = _netlink.TryDeleteNeighbor(entry with { Flags = NeighborEntry.SelfFlag })) && removed)
            {
                counters.FdbRemoved++;
            }
        }
    }
}
