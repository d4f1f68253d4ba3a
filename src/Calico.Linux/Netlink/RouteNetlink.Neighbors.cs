using System.Globalization;
using Calico.Linux.Interop;

namespace Calico.Linux.Netlink;

/// <summary>Neighbour tables: ARP/NDP entries and a device's forwarding database (FDB), the static state a VXLAN overlay needs.</summary>
public sealed partial class RouteNetlink
{
    /// <summary>
    /// Creates the entry or replaces the one with the same key (NLM_F_CREATE | NLM_F_REPLACE): for ARP/NDP the key is
    /// interface + address, for an FDB entry interface + MAC (a VXLAN device then points the MAC at the new remote).
    /// </summary>
    public void ReplaceNeighbor(NeighborEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_NEWNEIGH, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_REPLACE, _socket.NextSequence());
        WriteNeighbor(writer, entry, entry.State);
        writer.EndMessage();
        int errno = _socket.TryExecute(writer.Written, out string? detail);
        if (errno != 0)
        {
            throw NetlinkSocket.Failure("RTM_NEWNEIGH " + DescribeNeighbor(entry), errno, detail);
        }
    }

    /// <summary>
    /// Deletes the entry (RTM_DELNEIGH); false when it is not there (ENOENT). An FDB entry is deleted together with its
    /// destination, so on a VXLAN device only that remote of the MAC goes.
    /// </summary>
    public bool TryDeleteNeighbor(NeighborEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_DELNEIGH, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, _socket.NextSequence());
        WriteNeighbor(writer, entry, 0);
        writer.EndMessage();
        int errno = _socket.TryExecute(writer.Written, out string? detail);
        return errno switch
        {
            0 => true,
            Errno.ENOENT => false,
            _ => throw NetlinkSocket.Failure("RTM_DELNEIGH " + DescribeNeighbor(entry), errno, detail),
        };
    }

    /// <summary>
    /// The entries of one table, optionally of one interface (<paramref name="interfaceIndex"/> 0 = all), read with ONE
    /// dump; the kernel filters by interface when the socket has strict checking, and the reader filters again.
    /// </summary>
    public IReadOnlyList<NeighborEntry> ListNeighbors(NeighborFamily family, int interfaceIndex = 0)
    {
        bool kernelFilters = _socket.EnableStrictChecking();
        NetlinkWriter writer = BeginRequest();
        writer.BeginMessage(Rtnl.RTM_GETNEIGH, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, _socket.NextSequence());
        writer.WriteNdMsg((byte)family, 0, 0, 0, 0);

        // Strict mode wants the interface as NDA_IFINDEX (a non-zero ndm_ifindex is refused for ARP dumps); without
        // it an FDB dump request longer than an ndmsg would be parsed as an ifinfomsg, so nothing is added then.
        if (kernelFilters && interfaceIndex > 0)
        {
            writer.PutInt32(Rtnl.NDA_IFINDEX, interfaceIndex);
        }

        writer.EndMessage();
        var entries = new List<NeighborEntry>();
        DumpOrThrow(writer.Written, "RTM_GETNEIGH dump", (type, payload) =>
        {
            if (type == Rtnl.RTM_NEWNEIGH
                && RtnlCodec.TryParseNeighbor(payload, out NeighborEntry? entry)
                && entry.Family == family
                && (interfaceIndex == 0 || entry.InterfaceIndex == interfaceIndex))
            {
                entries.Add(entry);
            }
        });
        return entries;
    }

    private static void WriteNeighbor(NetlinkWriter writer, NeighborEntry entry, ushort state)
    {
        if (entry.InterfaceIndex <= 0)
        {
            throw new ArgumentException($"{entry} needs an interface index", nameof(entry));
        }

        writer.WriteNdMsg((byte)entry.Family, entry.InterfaceIndex, state, entry.Flags, 0);
        if (entry.Destination is not null)
        {
            if (entry.Family != NeighborFamily.Bridge && FamilyOf(entry.Destination) != (byte)entry.Family)
            {
                throw new ArgumentException($"{entry}: the address is not in the entry's family", nameof(entry));
            }

            writer.PutAddress(Rtnl.NDA_DST, entry.Destination);
        }
        else if (entry.Family != NeighborFamily.Bridge)
        {
            throw new ArgumentException($"{entry} needs an address", nameof(entry));
        }

        if (entry.Mac is not null)
        {
            writer.PutAttribute(Rtnl.NDA_LLADDR, MacAddress.Parse(entry.Mac));
        }
        else if (entry.Family == NeighborFamily.Bridge)
        {
            throw new ArgumentException($"{entry} needs a MAC (the FDB key)", nameof(entry));
        }
    }

    private string DescribeNeighbor(NeighborEntry entry)
    {
        string device = DescribeLink(entry.InterfaceIndex);
        return entry.Family == NeighborFamily.Bridge
            ? $"fdb {entry.Mac} dst {entry.Destination} dev {device}"
            : $"neigh {entry.Destination} lladdr {entry.Mac} dev {device} nud 0x{entry.State.ToString("x", CultureInfo.InvariantCulture)}";
    }
}
