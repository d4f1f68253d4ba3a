using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Calico.Linux.Netlink;

/// <summary>Decoders for the rtnetlink answers we read: ifinfomsg (with VXLAN data), ifaddrmsg, rtmsg and ndmsg with their attributes.</summary>
internal static class RtnlCodec
{
    public static LinkInfo ParseLink(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Rtnl.IfInfoMsgLength)
        {
            throw new InvalidDataException("short ifinfomsg");
        }

        int index = HostOrder.ReadInt32(payload[4..]);
        uint flags = HostOrder.ReadUInt32(payload[8..]);
        string name = string.Empty;
        string? mac = null;
        string? kind = null;
        int mtu = 0;
        int parent = 0;
        var operState = LinkOperState.Unknown;
        VxlanAttributes? vxlan = null;
        var attributes = new AttributeReader(payload[Rtnl.IfInfoMsgLength..]);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            switch (type)
            {
                case Rtnl.IFLA_IFNAME:
                    name = AttributeReader.ReadString(value);
                    break;
                case Rtnl.IFLA_ADDRESS when value.Length == 6:
                    mac = FormatMac(value);
                    break;
                case Rtnl.IFLA_MTU when value.Length >= 4:
                    mtu = HostOrder.ReadInt32(value);
                    break;
                case Rtnl.IFLA_OPERSTATE when value.Length >= 1:
                    operState = (LinkOperState)value[0];
                    break;
                case Rtnl.IFLA_LINK when value.Length >= 4:
                    parent = HostOrder.ReadInt32(value);
                    break;
                case Rtnl.IFLA_LINKINFO:
                    kind = ParseLinkInfo(value, out vxlan);
                    break;
                default:
                    break;
            }
        }

        return new LinkInfo(index, name, mac, mtu, flags, kind, parent) { OperState = operState, Vxlan = vxlan };
    }

    /// <summary>IFLA_LINKINFO: the kind, and for "vxlan" its IFLA_INFO_DATA (read after the loop: order is not promised).</summary>
    private static string? ParseLinkInfo(ReadOnlySpan<byte> linkInfo, out VxlanAttributes? vxlan)
    {
        vxlan = null;
        string? kind = null;
        ReadOnlySpan<byte> data = default;
        var info = new AttributeReader(linkInfo);
        while (info.TryRead(out ushort infoType, out ReadOnlySpan<byte> infoValue))
        {
            if (infoType == Rtnl.IFLA_INFO_KIND)
            {
                kind = AttributeReader.ReadString(infoValue);
            }
            else if (infoType == Rtnl.IFLA_INFO_DATA)
            {
                data = infoValue;
            }
        }

        if (kind == "vxlan")
        {
            vxlan = ParseVxlanData(data);
        }

        return kind;
    }

    /// <summary>IFLA_VXLAN_*: ID, LINK and LEARNING in host order; PORT in network order (a __be16); LOCAL 4 or LOCAL6 16 bytes.</summary>
    public static VxlanAttributes ParseVxlanData(ReadOnlySpan<byte> data)
    {
        int vni = 0;
        int port = 0;
        int parent = 0;
        bool learning = false;
        IPAddress? local = null;
        var attributes = new AttributeReader(data);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            switch (type)
            {
                case Rtnl.IFLA_VXLAN_ID when value.Length >= 4:
                    vni = HostOrder.ReadInt32(value);
                    break;
                case Rtnl.IFLA_VXLAN_LINK when value.Length >= 4:
                    parent = HostOrder.ReadInt32(value);
                    break;
                case Rtnl.IFLA_VXLAN_LEARNING when value.Length >= 1:
                    learning = value[0] != 0;
                    break;
                case Rtnl.IFLA_VXLAN_PORT when value.Length >= 2:
                    port = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(value);
                    break;
                case Rtnl.IFLA_VXLAN_LOCAL when value.Length == 4:
                case Rtnl.IFLA_VXLAN_LOCAL6 when value.Length == 16:
                    var address = new IPAddress(value);
                    local = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? local : address;
                    break;
                default:
                    break;
            }
        }

        return new VxlanAttributes(vni, port, local, parent, learning);
    }

    /// <summary>ndmsg (family, pad, ifindex, state, flags, type) with NDA_DST and NDA_LLADDR.</summary>
    public static bool TryParseNeighbor(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out NeighborEntry? neighbor)
    {
        neighbor = null;
        if (payload.Length < Rtnl.NdMsgLength)
        {
            throw new InvalidDataException("short ndmsg");
        }

        byte family = payload[0];
        if (family is not (Rtnl.AF_INET or Rtnl.AF_INET6 or Rtnl.AF_BRIDGE))
        {
            return false;
        }

        int index = HostOrder.ReadInt32(payload[4..]);
        ushort state = HostOrder.ReadUInt16(payload[8..]);
        byte flags = payload[10];
        IPAddress? destination = null;
        string? mac = null;
        var attributes = new AttributeReader(payload[Rtnl.NdMsgLength..]);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            switch (type)
            {
                // For FDB entries the destination is the remote underlay address, of either family.
                case Rtnl.NDA_DST when value.Length is 4 or 16:
                    destination = new IPAddress(value);
                    break;
                case Rtnl.NDA_LLADDR when value.Length > 0:
                    mac = FormatMac(value);
                    break;
                default:
                    break;
            }
        }

        neighbor = new NeighborEntry((NeighborFamily)family, index, destination, mac) { State = state, Flags = flags };
        return true;
    }

    public static bool TryParseAddress(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out AddressInfo? address)
    {
        address = null;
        if (payload.Length < Rtnl.IfAddrMsgLength)
        {
            throw new InvalidDataException("short ifaddrmsg");
        }

        byte family = payload[0];
        byte prefixLength = payload[1];
        uint flags = payload[2];
        byte scope = payload[3];
        int index = HostOrder.ReadInt32(payload[4..]);
        IPAddress? local = null;
        IPAddress? peer = null;
        var attributes = new AttributeReader(payload[Rtnl.IfAddrMsgLength..]);
        while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            switch (type)
            {
                case Rtnl.IFA_LOCAL:
                    local = ReadAddress(family, value);
                    break;
                case Rtnl.IFA_ADDRESS:
                    peer = ReadAddress(family, value);
                    break;
                case Rtnl.IFA_FLAGS when value.Length >= 4:
                    flags = HostOrder.ReadUInt32(value);
                    break;
                default:
                    break;
            }
        }

        // IPv4 reports the interface's own address as IFA_LOCAL (IFA_ADDRESS is the peer on point-to-point links).
        IPAddress? own = local ?? peer;
        if (own is null)
        {
            return false;
        }

        address = new AddressInfo(index, own, prefixLength, scope, flags);
        return true;
    }

    public static bool TryParseRoute(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out RouteInfo? route)
    {
        route = null;
        if (payload.Length < Rtnl.RtMsgLength)
        {
            throw new InvalidDataException("short rtmsg");
        }

        byte family = payload[0];
        if (family is not (Rtnl.AF_INET or Rtnl.AF_INET6))
        {
            return false;
        }

        byte destinationLength = payload[1];
        uint table = payload[4];
        byte protocol = payload[5];
        byte scope = payload[6];
        byte type = payload[7];
        uint flags = HostOrder.ReadUInt32(payload[8..]);
        IPAddress? destination = null;
        IPAddress? gateway = null;
        int outIndex = 0;
        uint metric = 0;
        var attributes = new AttributeReader(payload[Rtnl.RtMsgLength..]);
        while (attributes.TryRead(out ushort attribute, out ReadOnlySpan<byte> value))
        {
            switch (attribute)
            {
                case Rtnl.RTA_DST:
                    destination = ReadAddress(family, value);
                    break;
                case Rtnl.RTA_GATEWAY:
                    gateway = ReadAddress(family, value);
                    break;
                case Rtnl.RTA_OIF when value.Length >= 4:
                    outIndex = HostOrder.ReadInt32(value);
                    break;
                case Rtnl.RTA_PRIORITY when value.Length >= 4:
                    metric = HostOrder.ReadUInt32(value);
                    break;
                case Rtnl.RTA_TABLE when value.Length >= 4:
                    table = HostOrder.ReadUInt32(value);
                    break;
                default:
                    break;
            }
        }

        destination ??= family == Rtnl.AF_INET ? IPAddress.Any : IPAddress.IPv6Any;
        route = new RouteInfo(new IPNetwork(destination, destinationLength), gateway, outIndex, scope, table, protocol, type, flags, metric);
        return true;
    }

    public static string FormatMac(ReadOnlySpan<byte> mac)
    {
        if (mac.IsEmpty)
        {
            return string.Empty;
        }

        return string.Create(mac.Length * 3 - 1, mac.ToArray(), static (span, bytes) =>
        {
            const string Hex = "0123456789abcdef";
            for (int i = 0; i < bytes.Length; i++)
            {
                if (i > 0)
                {
                    span[i * 3 - 1] = ':';
                }

                span[i * 3] = Hex[bytes[i] >> 4];
                span[i * 3 + 1] = Hex[bytes[i] & 0xf];
            }
        });
    }

    private static IPAddress? ReadAddress(byte family, ReadOnlySpan<byte> value) => family switch
    {
        Rtnl.AF_INET when value.Length == 4 => new IPAddress(value),
        Rtnl.AF_INET6 when value.Length == 16 => new IPAddress(value),
        _ => null,
    };
}
