using System.Buffers.Binary;
using System.Net;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nflog;

/// <summary>
/// nfnetlink_log's messages (linux/netfilter/nfnetlink_log.h): the configuration requests a listener sends and the
/// NFULNL_MSG_PACKET messages it receives, decoded into <see cref="NflogPacket"/>.
/// </summary>
internal static class NflogCodec
{
    public const ushort NFNL_SUBSYS_ULOG = 4;
    public const ushort NFULNL_MSG_PACKET = 0;
    public const ushort NFULNL_MSG_CONFIG = 1;

    // enum nfulnl_attr_config
    public const ushort NFULA_CFG_CMD = 1;
    public const ushort NFULA_CFG_MODE = 2;
    public const ushort NFULA_CFG_NLBUFSIZ = 3;
    public const ushort NFULA_CFG_TIMEOUT = 4;
    public const ushort NFULA_CFG_QTHRESH = 5;

    // enum nfulnl_msg_config_cmds
    public const byte NFULNL_CFG_CMD_BIND = 1;
    public const byte NFULNL_CFG_CMD_UNBIND = 2;
    public const byte NFULNL_COPY_PACKET = 2;

    // enum nfulnl_attr_type
    public const ushort NFULA_PACKET_HDR = 1;
    public const ushort NFULA_MARK = 2;
    public const ushort NFULA_IFINDEX_INDEV = 4;
    public const ushort NFULA_IFINDEX_OUTDEV = 5;
    public const ushort NFULA_PAYLOAD = 9;
    public const ushort NFULA_PREFIX = 10;

    public static ushort MessageType(ushort message) => (ushort)((NFNL_SUBSYS_ULOG << 8) | message);

    /// <summary>A CONFIG request for <paramref name="group"/>: bind (or unbind), and for bind the copy mode and range.</summary>
    public static void WriteConfig(NetlinkWriter writer, uint sequence, ushort group, bool bind, uint copyRange, uint bufferSize, uint flushTimeoutCentiseconds, uint queueThreshold = 1)
    {
        writer.BeginMessage(MessageType(NFULNL_MSG_CONFIG), Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, sequence, 0, group);
        writer.PutAttribute(NFULA_CFG_CMD, [bind ? NFULNL_CFG_CMD_BIND : NFULNL_CFG_CMD_UNBIND]);
        if (bind)
        {
            // struct nfulnl_msg_config_mode { __be32 copy_range; __u8 copy_mode; __u8 _pad; } __packed
            Span<byte> mode = stackalloc byte[6];
            BinaryPrimitives.WriteUInt32BigEndian(mode, copyRange);
            mode[4] = NFULNL_COPY_PACKET;
            mode[5] = 0;
            writer.PutAttribute(NFULA_CFG_MODE, mode);
            writer.PutBigEndianUInt32(NFULA_CFG_NLBUFSIZ, bufferSize);
            writer.PutBigEndianUInt32(NFULA_CFG_TIMEOUT, flushTimeoutCentiseconds);
            if (queueThreshold > 1)
            {
                // Up to this many packets share one datagram (sent when full or at the flush timeout): one wake-up
                // of the reader per batch instead of per packet.
                writer.PutBigEndianUInt32(NFULA_CFG_QTHRESH, queueThreshold);
            }
        }

        writer.EndMessage();
    }

    /// <summary>
    /// Decodes one NFULNL_MSG_PACKET payload (nfgenmsg, then attributes); null when it is another message or its
    /// payload is not an IPv4/IPv6 packet this can read.
    /// </summary>
    public static NflogPacket? DecodePacket(ushort type, ReadOnlySpan<byte> payload)
    {
        if (type != MessageType(NFULNL_MSG_PACKET) || payload.Length < NfNetlink.NfGenMsgLength)
        {
            return null;
        }

        ushort group = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
        string prefix = string.Empty;
        ReadOnlySpan<byte> packet = default;
        int inInterface = 0, outInterface = 0;
        uint mark = 0;
        var attributes = new AttributeReader(payload[NfNetlink.NfGenMsgLength..]);
        while (attributes.TryRead(out ushort attribute, out ReadOnlySpan<byte> value))
        {
            switch (attribute)
            {
                case NFULA_PREFIX:
                    prefix = AttributeReader.ReadString(value);
                    break;
                case NFULA_PAYLOAD:
                    packet = value;
                    break;
                case NFULA_IFINDEX_INDEV when value.Length >= 4:
                    inInterface = (int)BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case NFULA_IFINDEX_OUTDEV when value.Length >= 4:
                    outInterface = (int)BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case NFULA_MARK when value.Length >= 4:
                    mark = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                default:
                    break;
            }
        }

        NflogPacket? decoded = DecodeIp(group, prefix, packet);
        return decoded is null ? null : decoded with { InInterface = inInterface, OutInterface = outInterface, Mark = mark };
    }

    /// <summary>The addresses, protocol, ports (or ICMP type and code) and length of an IP packet's first bytes.</summary>
    public static NflogPacket? DecodeIp(ushort group, string prefix, ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 1)
        {
            return null;
        }

        int version = packet[0] >> 4;
        byte protocol;
        IPAddress source, destination;
        int length;
        ReadOnlySpan<byte> transport;
        if (version == 4)
        {
            int headerLength = (packet[0] & 0xf) * 4;
            if (packet.Length < 20 || headerLength < 20)
            {
                return null;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
            protocol = packet[9];
            source = new IPAddress(packet.Slice(12, 4));
            destination = new IPAddress(packet.Slice(16, 4));
            bool laterFragment = (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x1fff) != 0;
            transport = laterFragment || packet.Length < headerLength ? default : packet[headerLength..];
        }
        else if (version == 6)
        {
            if (packet.Length < 40)
            {
                return null;
            }

            length = 40 + BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
            source = new IPAddress(packet.Slice(8, 16));
            destination = new IPAddress(packet.Slice(24, 16));
            protocol = SkipIpv6Extensions(packet[6], packet[40..], out transport);
        }
        else
        {
            return null;
        }

        ushort sourcePort = 0, destinationPort = 0;
        byte? icmpType = null, icmpCode = null;
        if (protocol is 1 or 58)
        {
            if (transport.Length >= 2)
            {
                icmpType = transport[0];
                icmpCode = transport[1];
            }
        }
        else if (protocol is 6 or 17 or 132 or 136 && transport.Length >= 4)
        {
            sourcePort = BinaryPrimitives.ReadUInt16BigEndian(transport);
            destinationPort = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
        }

        return new NflogPacket(group, prefix, version, protocol, source, destination, sourcePort, destinationPort, length)
        {
            IcmpType = icmpType,
            IcmpCode = icmpCode,
        };
    }

    /// <summary>Walks hop-by-hop, routing, destination-options and fragment headers to the transport header.</summary>
    private static byte SkipIpv6Extensions(byte next, ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> transport)
    {
        for (int hops = 0; hops < 8; hops++)
        {
            switch (next)
            {
                case 0 or 43 or 60 when rest.Length >= 2:
                {
                    int length = (rest[1] + 1) * 8;
                    next = rest[0];
                    if (rest.Length < length)
                    {
                        transport = default;
                        return next;
                    }

                    rest = rest[length..];
                    break;
                }

                case 44 when rest.Length >= 8:
                {
                    bool laterFragment = (BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) & 0xfff8) != 0;
                    next = rest[0];
                    rest = laterFragment ? default : rest[8..];
                    break;
                }

                default:
                    transport = rest;
                    return next;
            }
        }

        transport = default;
        return next;
    }
}
