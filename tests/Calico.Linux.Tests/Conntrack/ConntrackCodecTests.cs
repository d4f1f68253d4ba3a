using System.Buffers.Binary;
using System.Net;
using Calico.Linux.Conntrack;
using Calico.Linux.Netlink;

namespace Calico.Linux.Tests.Conntrack;

/// <summary>ctnetlink entries laid out as the kernel sends them (nested attributes, big-endian values, 64-bit padding).</summary>
[Trait("Tier", "Unit")]
public sealed class ConntrackCodecTests
{
    [Fact]
    public void Decode_DestroyEventOfTcpWithCounters_EveryField()
    {
        byte[] payload = Entry(
            family: 2,
            tuple => V4Tuple(tuple, "10.77.0.1", "10.77.0.2", 6, 40000, 5201),
            tuple => V4Tuple(tuple, "10.77.0.2", "10.77.0.1", 6, 5201, 40000),
            w =>
            {
                PutBe32(w, 3, (uint)(ConntrackStatus.Assured | ConntrackStatus.Confirmed | ConntrackStatus.SeenReply));
                int counters = w.BeginNested(9);
                w.PutAttribute(3, [0, 0, 0, 0]); // CTA_COUNTERS_PAD before a 64-bit value
                PutBe64(w, 1, 199);
                PutBe64(w, 2, 8_398_964);
                w.EndNested(counters);
                counters = w.BeginNested(10);
                PutBe64(w, 1, 126);
                PutBe64(w, 2, 6560);
                w.EndNested(counters);
                int protoinfo = w.BeginNested(4);
                int tcp = w.BeginNested(1);
                w.PutAttribute(1, [7]); // TIME_WAIT
                w.EndNested(tcp);
                w.EndNested(protoinfo);
                PutBe32(w, 8, 0x10000);
                PutBe32(w, 12, 0xdeadbeef);
            });

        ConntrackEntry? entry = ConntrackCodec.Decode(ConntrackEventKind.Destroy, payload);

        Assert.NotNull(entry);
        Assert.Equal(new ConntrackTuple(4, 6, IPAddress.Parse("10.77.0.1"), IPAddress.Parse("10.77.0.2"), 40000, 5201), entry.Original);
        Assert.Equal(new ConntrackTuple(4, 6, IPAddress.Parse("10.77.0.2"), IPAddress.Parse("10.77.0.1"), 5201, 40000), entry.Reply);
        Assert.Equal((199UL, 8_398_964UL, 126UL, 6560UL), (entry.OriginalPackets, entry.OriginalBytes, entry.ReplyPackets, entry.ReplyBytes));
        Assert.True(entry.HasCounters);
        Assert.True(entry.IsAssured);
        Assert.Equal(ConntrackTcpState.TimeWait, entry.TcpState);
        Assert.Equal((0x10000u, 0xdeadbeefu, 0u), (entry.Mark, entry.Id, entry.TimeoutSeconds));
        Assert.Equal(ConntrackEventKind.Destroy, entry.Kind);
    }

    [Fact]
    public void Decode_Icmpv6WithoutCounters_TypeCodeIdAndNoCounters()
    {
        byte[] payload = Entry(
            family: 10,
            tuple => V6IcmpTuple(tuple, "fd77::1", "fd77::2", type: 128),
            tuple => V6IcmpTuple(tuple, "fd77::2", "fd77::1", type: 129),
            w => PutBe32(w, 7, 29));

        ConntrackEntry? entry = ConntrackCodec.Decode(ConntrackEventKind.New, payload);

        Assert.NotNull(entry);
        Assert.Equal((6, (byte)58, (byte?)128, (byte?)0, (ushort?)77), (entry.Original.IpVersion, entry.Original.Protocol, entry.Original.IcmpType, entry.Original.IcmpCode, entry.Original.IcmpId));
        Assert.Equal(IPAddress.Parse("fd77::2"), entry.Original.Destination);
        Assert.False(entry.HasCounters);
        Assert.Null(entry.TcpState);
        Assert.Equal(29u, entry.TimeoutSeconds);
    }

    [Fact]
    public void KindOf_MessageTypes_NewDumpDestroyOrOther()
    {
        Assert.Equal(ConntrackEventKind.New, ConntrackCodec.KindOf(0x100, dump: false));
        Assert.Equal(ConntrackEventKind.Dump, ConntrackCodec.KindOf(0x100, dump: true));
        Assert.Equal(ConntrackEventKind.Destroy, ConntrackCodec.KindOf(0x102, dump: false));
        Assert.Null(ConntrackCodec.KindOf(0x400, dump: false));
        Assert.Null(ConntrackCodec.Decode(ConntrackEventKind.New, [2, 0, 0, 0]));
    }

    private static byte[] Entry(byte family, Action<NetlinkWriter> original, Action<NetlinkWriter> reply, Action<NetlinkWriter> rest)
    {
        var w = new NetlinkWriter(NetlinkProtocol.Netfilter);
        w.WriteNfGenMsg(family, 0);
        int tuple = w.BeginNested(1);
        original(w);
        w.EndNested(tuple);
        tuple = w.BeginNested(2);
        reply(w);
        w.EndNested(tuple);
        rest(w);
        return w.Written.ToArray();
    }

    private static void V4Tuple(NetlinkWriter w, string source, string destination, byte protocol, ushort sourcePort, ushort destinationPort)
    {
        int ip = w.BeginNested(1);
        w.PutAddress(1, IPAddress.Parse(source));
        w.PutAddress(2, IPAddress.Parse(destination));
        w.EndNested(ip);
        int proto = w.BeginNested(2);
        w.PutAttribute(1, [protocol]);
        PutBe16(w, 2, sourcePort);
        PutBe16(w, 3, destinationPort);
        w.EndNested(proto);
    }

    private static void V6IcmpTuple(NetlinkWriter w, string source, string destination, byte type)
    {
        int ip = w.BeginNested(1);
        w.PutAddress(3, IPAddress.Parse(source));
        w.PutAddress(4, IPAddress.Parse(destination));
        w.EndNested(ip);
        int proto = w.BeginNested(2);
        w.PutAttribute(1, [58]);
        PutBe16(w, 7, 77);
        w.PutAttribute(8, [type]);
        w.PutAttribute(9, [0]);
        w.EndNested(proto);
    }

    private static void PutBe16(NetlinkWriter w, ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        w.PutAttribute(type, bytes);
    }

    private static void PutBe32(NetlinkWriter w, ushort type, uint value) => w.PutBigEndianUInt32(type, value);

    private static void PutBe64(NetlinkWriter w, ushort type, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        w.PutAttribute(type, bytes);
    }
}
