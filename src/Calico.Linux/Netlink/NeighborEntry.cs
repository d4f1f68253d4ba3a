using System.Net;
using System.Net.Sockets;

namespace Calico.Linux.Netlink;

/// <summary>
/// A neighbour (RTM_NEWNEIGH). ARP/NDP entries: <see cref="Destination"/> is the neighbour's IP, <see cref="Mac"/> its
/// link-layer address. FDB entries (<see cref="NeighborFamily.Bridge"/>): <see cref="Mac"/> is the key and, on a VXLAN
/// device, <see cref="Destination"/> the remote VTEP's underlay address. <see cref="Mac"/> is lower-case colon hex
/// (null when the kernel has none yet, e.g. an incomplete ARP entry). State 0x80 = NUD_PERMANENT; flag 0x02 = NTF_SELF.
/// </summary>
public sealed record NeighborEntry(NeighborFamily Family, int InterfaceIndex, IPAddress? Destination, string? Mac)
{
    /// <summary>NTF_SELF: an FDB entry of the device itself (a VXLAN device's own table), not of a bridge it is a port of.</summary>
    public const byte SelfFlag = Rtnl.NTF_SELF;

    public ushort State { get; init; } = Rtnl.NUD_PERMANENT;

    public byte Flags { get; init; }

    public bool IsPermanent => (State & Rtnl.NUD_PERMANENT) != 0;

    /// <summary>A permanent ARP (IPv4) or NDP (IPv6) entry: <c>ip neigh replace ADDRESS lladdr MAC dev IF nud permanent</c>.</summary>
    public static NeighborEntry Permanent(int interfaceIndex, IPAddress address, string mac)
    {
        ArgumentNullException.ThrowIfNull(address);
        NeighborFamily family = address.AddressFamily switch
        {
            AddressFamily.InterNetwork => NeighborFamily.IPv4,
            AddressFamily.InterNetworkV6 => NeighborFamily.IPv6,
            _ => throw new ArgumentException($"{address} is neither IPv4 nor IPv6", nameof(address)),
        };
        return new NeighborEntry(family, interfaceIndex, address, MacAddress.Normalize(mac));
    }

    /// <summary>A permanent FDB entry on the device itself: <c>bridge fdb replace MAC dev IF dst REMOTE self permanent</c>.</summary>
    public static NeighborEntry FdbSelf(int interfaceIndex, string mac, IPAddress remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        return new NeighborEntry(NeighborFamily.Bridge, interfaceIndex, remote, MacAddress.Normalize(mac)) { Flags = SelfFlag };
    }

    public override string ToString() => Family == NeighborFamily.Bridge
        ? $"fdb {Mac} dst {Destination} ifindex {InterfaceIndex}"
        : $"neigh {Destination} lladdr {Mac} ifindex {InterfaceIndex}";
}
