using System.Buffers.Binary;
using System.Net;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Conntrack;

/// <summary>ctnetlink messages (linux/netfilter/nfnetlink_conntrack.h): the dump request, and entries into records.</summary>
internal static class ConntrackCodec
{
    public const ushort NFNL_SUBSYS_CTNETLINK = 1;
    public const ushort IPCTNL_MSG_CT_NEW = 0;
    public const ushort IPCTNL_MSG_CT_GET = 1;
    public const ushort IPCTNL_MSG_CT_DELETE = 2;

    /// <summary>nl_groups bits of NFNLGRP_CONNTRACK_NEW (1) and NFNLGRP_CONNTRACK_DESTROY (3).</summary>
    public const uint GroupsNewAndDestroy = (1u << 0) | (1u << 2);

    /// <summary>nl_groups bit of NFNLGRP_CONNTRACK_DESTROY (3) alone.</summary>
    public const uint GroupDestroy = 1u << 2;

    // enum ctattr_type
    private const ushort CTA_TUPLE_ORIG = 1;
    private const ushort CTA_TUPLE_REPLY = 2;
    private const ushort CTA_STATUS = 3;
    private const ushort CTA_PROTOINFO = 4;
    private const ushort CTA_TIMEOUT = 7;
    private const ushort CTA_MARK = 8;
    private const ushort CTA_COUNTERS_ORIG = 9;
    private const ushort CTA_COUNTERS_REPLY = 10;
    private const ushort CTA_ID = 12;
    private const ushort CTA_TIMESTAMP = 20;

    // enum ctattr_tuple, ctattr_ip, ctattr_l4proto
    private const ushort CTA_TUPLE_IP = 1;
    private const ushort CTA_TUPLE_PROTO = 2;
    private const ushort CTA_IP_V4_SRC = 1;
    private const ushort CTA_IP_V4_DST = 2;
    private const ushort CTA_IP_V6_SRC = 3;
    private const ushort CTA_IP_V6_DST = 4;
    private const ushort CTA_PROTO_NUM = 1;
    private const ushort CTA_PROTO_SRC_PORT = 2;
    private const ushort CTA_PROTO_DST_PORT = 3;
    private const ushort CTA_PROTO_ICMP_ID = 4;
    private const ushort CTA_PROTO_ICMP_TYPE = 5;
    private const ushort CTA_PROTO_ICMP_CODE = 6;
    private const ushort CTA_PROTO_ICMPV6_ID = 7;
    private const ushort CTA_PROTO_ICMPV6_TYPE = 8;
    private const ushort CTA_PROTO_ICMPV6_CODE = 9;

    // enum ctattr_protoinfo, ctattr_protoinfo_tcp, ctattr_counters, ctattr_tstamp
    private const ushort CTA_PROTOINFO_TCP = 1;
    private const ushort CTA_PROTOINFO_TCP_STATE = 1;
    private const ushort CTA_COUNTERS_PACKETS = 1;
    private const ushort CTA_COUNTERS_BYTES = 2;
    private const ushort CTA_TIMESTAMP_START = 1;
    private const ushort CTA_TIMESTAMP_STOP = 2;

    public static ushort MessageType(ushort message) => (ushort)((NFNL_SUBSYS_CTNETLINK << 8) | message);

    /// <summary>A dump of the whole table, every family (AF_UNSPEC).</summary>
    public static void WriteDumpRequest(NetlinkWriter writer, uint sequence)
    {
        writer.BeginMessage(MessageType(IPCTNL_MSG_CT_GET), Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, sequence, 0, 0);
        writer.EndMessage();
    }

    /// <summary>The kind of a message received: NEW and DELETE types are events unless read by a dump.</summary>
    public static ConntrackEventKind? KindOf(ushort type, bool dump) => type switch
    {
        _ when type == MessageType(IPCTNL_MSG_CT_NEW) => dump ? ConntrackEventKind.Dump : ConntrackEventKind.New,
        _ when type == MessageType(IPCTNL_MSG_CT_DELETE) => ConntrackEventKind.Destroy,
        _ => null,
    };

    /// <summary>One entry (nfgenmsg, then attributes); null when it lacks a tuple this can read.</summary>
    public static ConntrackEntry? Decode(ConntrackEventKind kind, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < NfNetlink.NfGenMsgLength)
        {
            return null;
        }

        ConntrackTuple? original = null, reply = null;
        uint id = 0, mark = 0, timeout = 0;
        ConntrackStatus status = ConntrackStatus.None;
        ConntrackTcpState? tcpState = null;
        (ulong Packets, ulong Bytes) originalCounters = default, replyCounters = default;
        bool counters = false;
        ulong start = 0, stop = 0;
        var attributes = new AttributeReader(payload[NfNetlink.NfGenMsgLength..]);
        while (attributes.TryRead(out ushort attribute, out ReadOnlySpan<byte> value))
        {
            switch (attribute)
            {
                case CTA_TUPLE_ORIG:
                    original = DecodeTuple(value);
                    break;
                case CTA_TUPLE_REPLY:
                    reply = DecodeTuple(value);
                    break;
                case CTA_STATUS when value.Length >= 4:
                    status = (ConntrackStatus)BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case CTA_PROTOINFO:
                    tcpState = DecodeTcpState(value);
                    break;
                case CTA_TIMEOUT when value.Length >= 4:
                    timeout = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case CTA_MARK when value.Length >= 4:
                    mark = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case CTA_ID when value.Length >= 4:
                    id = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case CTA_COUNTERS_ORIG:
                    originalCounters = DecodeCounters(value);
                    counters = true;
                    break;
                case CTA_COUNTERS_REPLY:
                    replyCounters = DecodeCounters(value);
                    counters = true;
                    break;
                case CTA_TIMESTAMP:
                    (start, stop) = DecodeTimestamps(value);
                    break;
                default:
                    break;
            }
        }

        if (original is null || reply is null)
        {
            return null;
        }

        return new ConntrackEntry(kind, original, reply)
        {
            Id = id,
            Status = status,
            Mark = mark,
            TimeoutSeconds = timeout,
            TcpState = original.Protocol == 6 ? tcpState ?? ConntrackTcpState.None : null,
            HasCounters = counters,
            OriginalPackets = originalCounters.Packets,
            OriginalBytes = originalCounters.Bytes,
            ReplyPackets = replyCounters.Packets,
            ReplyBytes = replyCounters.Bytes,
            StartNanoseconds = start,
            StopNanoseconds = stop,
        };
    }

    private static ConntrackTuple? DecodeTuple(ReadOnlySpan<byte> nested)
    {
        IPAddress? source = null, destination = null;
        int version = 0;
        byte protocol = 0;
        ushort sourcePort = 0, destinationPort = 0;
        byte? icmpType = null, icmpCode = null;
        ushort? icmpId = null;
        var tuple = new AttributeReader(nested);
        while (tuple.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            if (type == CTA_TUPLE_IP)
            {
                var ip = new AttributeReader(value);
                while (ip.TryRead(out ushort ipType, out ReadOnlySpan<byte> address))
                {
                    switch (ipType)
                    {
                        case CTA_IP_V4_SRC when address.Length == 4:
                            source = new IPAddress(address);
                            version = 4;
                            break;
                        case CTA_IP_V4_DST when address.Length == 4:
                            destination = new IPAddress(address);
                            break;
                        case CTA_IP_V6_SRC when address.Length == 16:
                            source = new IPAddress(address);
                            version = 6;
                            break;
                        case CTA_IP_V6_DST when address.Length == 16:
                            destination = new IPAddress(address);
                            break;
                        default:
                            break;
                    }
                }
            }
            else if (type == CTA_TUPLE_PROTO)
            {
                var proto = new AttributeReader(value);
                while (proto.TryRead(out ushort protoType, out ReadOnlySpan<byte> field))
                {
                    switch (protoType)
                    {
                        case CTA_PROTO_NUM when field.Length >= 1:
                            protocol = field[0];
                            break;
                        case CTA_PROTO_SRC_PORT when field.Length >= 2:
                            sourcePort = BinaryPrimitives.ReadUInt16BigEndian(field);
                            break;
                        case CTA_PROTO_DST_PORT when field.Length >= 2:
                            destinationPort = BinaryPrimitives.ReadUInt16BigEndian(field);
                            break;
                        case CTA_PROTO_ICMP_ID or CTA_PROTO_ICMPV6_ID when field.Length >= 2:
                            icmpId = BinaryPrimitives.ReadUInt16BigEndian(field);
                            break;
                        case CTA_PROTO_ICMP_TYPE or CTA_PROTO_ICMPV6_TYPE when field.Length >= 1:
                            icmpType = field[0];
                            break;
                        case CTA_PROTO_ICMP_CODE or CTA_PROTO_ICMPV6_CODE when field.Length >= 1:
                            icmpCode = field[0];
                            break;
                        default:
                            break;
                    }
                }
            }
        }

        return source is null || destination is null
            ? null
            : new ConntrackTuple(version, protocol, source, destination, sourcePort, destinationPort) { IcmpType = icmpType, IcmpCode = icmpCode, IcmpId = icmpId };
    }

    private static ConntrackTcpState? DecodeTcpState(ReadOnlySpan<byte> nested)
    {
        var protoinfo = new AttributeReader(nested);
        while (protoinfo.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            if (type != CTA_PROTOINFO_TCP)
            {
                continue;
            }

            var tcp = new AttributeReader(value);
            while (tcp.TryRead(out ushort tcpType, out ReadOnlySpan<byte> field))
            {
                if (tcpType == CTA_PROTOINFO_TCP_STATE && field.Length >= 1)
                {
                    return (ConntrackTcpState)field[0];
                }
            }
        }

        return null;
    }

    private static (ulong Packets, ulong Bytes) DecodeCounters(ReadOnlySpan<byte> nested)
    {
        ulong packets = 0, bytes = 0;
        var counters = new AttributeReader(nested);
        while (counters.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            if (value.Length < 8)
            {
                continue;
            }

            if (type == CTA_COUNTERS_PACKETS)
            {
                packets = BinaryPrimitives.ReadUInt64BigEndian(value);
            }
            else if (type == CTA_COUNTERS_BYTES)
            {
                bytes = BinaryPrimitives.ReadUInt64BigEndian(value);
            }
        }

        return (packets, bytes);
    }

    private static (ulong Start, ulong Stop) DecodeTimestamps(ReadOnlySpan<byte> nested)
    {
        ulong start = 0, stop = 0;
        var stamps = new AttributeReader(nested);
        while (stamps.TryRead(out ushort type, out ReadOnlySpan<byte> value))
        {
            if (value.Length < 8)
            {
                continue;
            }

            if (type == CTA_TIMESTAMP_START)
            {
                start = BinaryPrimitives.ReadUInt64BigEndian(value);
            }
            else if (type == CTA_TIMESTAMP_STOP)
            {
                stop = BinaryPrimitives.ReadUInt64BigEndian(value);
            }
        }

        return (start, stop);
    }
}
