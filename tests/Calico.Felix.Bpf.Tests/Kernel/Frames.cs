using System.Buffers.Binary;
using System.Net;

namespace Calico.Felix.Bpf.Tests.Kernel;

/// <summary>Ethernet + IPv4 frames for BPF_PROG_TEST_RUN (no checksums: the program reads none).</summary>
internal static class Frames
{
    public const byte Syn = 0x02;
    public const byte Ack = 0x10;

    public static byte[] Tcp(string src, int sport, string dst, int dport, byte flags = Syn) => Ipv4(src, dst, 6, l4 =>
    {
        var tcp = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)dport);
        tcp[12] = 0x50;
        tcp[13] = flags;
        return tcp;
    });

    public static byte[] Udp(string src, int sport, string dst, int dport) => Ipv4(src, dst, 17, l4 =>
    {
        var udp = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), (ushort)dport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), 8);
        return udp;
    });

    public static byte[] IcmpEcho(string src, string dst, ushort id, bool reply = false) => Ipv4(src, dst, 1, l4 =>
    {
        var icmp = new byte[8];
        icmp[0] = reply ? (byte)0 : (byte)8;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), id);
        return icmp;
    });

    /// <summary>ICMP destination unreachable (type 3) from <paramref name="src"/>, quoting a TCP packet's IP header and first 8 bytes.</summary>
    public static byte[] IcmpUnreachable(string src, string dst, string quotedSrc, int quotedSport, string quotedDst, int quotedDport)
    {
        byte[] quoted = Tcp(quotedSrc, quotedSport, quotedDst, quotedDport);
        return Ipv4(src, dst, 1, l4 =>
        {
            var icmp = new byte[8 + 20 + 8];
            icmp[0] = 3;
            icmp[1] = 1; // host unreachable
            quoted.AsSpan(14, 28).CopyTo(icmp.AsSpan(8));
            return icmp;
        });
    }

    /// <summary>ICMPv6 of error <paramref name="type"/> (1-4) from <paramref name="src"/>, quoting a TCP packet's IPv6 header and its TCP header.</summary>
    public static byte[] Icmp6Error(string src, string dst, byte type, string quotedSrc, int quotedSport, string quotedDst, int quotedDport)
    {
        byte[] quoted = Tcp6(quotedSrc, quotedSport, quotedDst, quotedDport);
        var icmp = new byte[8 + 40 + 20];
        icmp[0] = type;
        quoted.AsSpan(14, 60).CopyTo(icmp.AsSpan(8));
        return Ipv6(src, dst, 58, icmp);
    }

    /// <summary>An IPv6 header announcing a hop-by-hop header that is not there.</summary>
    public static byte[] TruncatedIpv6()
    {
        var frame = new byte[14 + 40];
        frame[12] = 0x86;
        frame[13] = 0xdd;
        frame[14] = 0x60;
        return frame;
    }

    /// <summary>IPv6 TCP, optionally behind a hop-by-hop options header (8 bytes, PadN).</summary>
    public static byte[] Tcp6(string src, int sport, string dst, int dport, byte flags = Syn, bool hopByHop = false)
    {
        var tcp = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)dport);
        tcp[12] = 0x50;
        tcp[13] = flags;
        if (!hopByHop)
        {
            return Ipv6(src, dst, 6, tcp);
        }

        var withOptions = new byte[8 + tcp.Length];
        withOptions[0] = 6;    // next header: TCP
        withOptions[1] = 0;    // length: 8 bytes
        withOptions[2] = 1;    // PadN
        withOptions[3] = 4;
        tcp.CopyTo(withOptions, 8);
        return Ipv6(src, dst, 0, withOptions);
    }

    /// <summary>ICMPv6 of <paramref name="type"/> (echo: identifier <paramref name="id"/>).</summary>
    public static byte[] Icmp6(string src, string dst, byte type, ushort id = 0)
    {
        var icmp = new byte[8];
        icmp[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), id);
        return Ipv6(src, dst, 58, icmp);
    }

    /// <summary>An Ethernet + IPv6 frame whose fixed header names <paramref name="nextHeader"/> and carries <paramref name="payload"/> as is.</summary>
    public static byte[] Ipv6(string src, string dst, byte nextHeader, byte[] payload)
    {
        var frame = new byte[14 + 40 + payload.Length];
        frame[12] = 0x86;
        frame[13] = 0xdd;
        frame[14] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)payload.Length);
        frame[20] = nextHeader;
        frame[21] = 64;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(frame, 22);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(frame, 38);
        payload.CopyTo(frame, 54);
        return frame;
    }

    public static byte[] Arp()
    {
        var frame = new byte[14 + 28];
        frame[12] = 0x08;
        frame[13] = 0x06;
        return frame;
    }

    /// <summary>
    /// A UDP datagram's IPv4 fragment: the first (offset 0, more fragments: the UDP header and 16 bytes), or a later one
    /// (<paramref name="offset8"/> in 8-byte units, 24 bytes of payload, no UDP header), under IP identification <paramref name="id"/>.
    /// </summary>
    public static byte[] UdpFragment(string src, int sport, string dst, int dport, ushort id, int offset8, bool more)
    {
        byte[] frame = offset8 == 0
            ? Ipv4(src, dst, 17, _ =>
            {
                var udp = new byte[8 + 16];
                BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)sport);
                BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), (ushort)dport);
                BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), 8 + 16 + 24);
                return udp;
            })
            : Ipv4(src, dst, 17, _ => new byte[24]);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), id);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), (ushort)((more ? 0x2000 : 0) | offset8));
        return frame;
    }

    /// <summary><see cref="UdpFragment"/> for IPv6: a fragment header (identification <paramref name="id"/>) before the UDP header or the later payload.</summary>
    public static byte[] Udp6Fragment(string src, int sport, string dst, int dport, uint id, int offset8, bool more)
    {
        var payload = new byte[8 + 24];
        payload[0] = 17; // next header: UDP
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), (ushort)((offset8 << 3) | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), id);
        if (offset8 == 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(8), (ushort)sport);
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(10), (ushort)dport);
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(12), 8 + 16 + 24);
        }

        return Ipv6(src, dst, 44, payload);
    }

    private static byte[] Ipv4(string src, string dst, byte protocol, Func<int, byte[]> l4)
    {
        byte[] payload = l4(0);
        var frame = new byte[14 + 20 + payload.Length];
        frame[12] = 0x08; // IPv4
        frame[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), (ushort)(20 + payload.Length));
        frame[22] = 64;
        frame[23] = protocol;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(frame, 26);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(frame, 30);
        payload.CopyTo(frame, 34);
        return frame;
    }
}
