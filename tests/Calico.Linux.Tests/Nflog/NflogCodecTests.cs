using System.Net;
using Calico.Linux.Netlink;
using Calico.Linux.Nflog;

namespace Calico.Linux.Tests.Nflog;

/// <summary>nfnetlink_log messages as the kernel sends them (bytes written out by hand from the ABI) into records.</summary>
[Trait("Tier", "Unit")]
public sealed class NflogCodecTests
{
    private static readonly ushort PacketType = (4 << 8) | 0;

    [Fact]
    public void DecodePacket_Ipv4UdpWithPrefixAndInterface_AllFields()
    {
        byte[] payload =
        [
            2, 0, 0, 6, // nfgenmsg: AF_INET, v0, res_id = group 6 (big-endian)
            8, 0, 1, 0, 0x08, 0x00, 1, 0, // NFULA_PACKET_HDR: hw_protocol 0x0800, hook 1 (input)
            8, 0, 2, 0, 0, 0, 0x12, 0x34, // NFULA_MARK 0x1234
            8, 0, 4, 0, 0, 0, 0, 3, // NFULA_IFINDEX_INDEV 3
            13, 0, 10, 0, (byte)'D', (byte)'R', (byte)'I', (byte)'|', (byte)'x', (byte)'y', (byte)'z', (byte)'w', 0, 0, 0, 0, // NFULA_PREFIX "DRI|xyzw"
            32, 0, 9, 0, // NFULA_PAYLOAD: 28 bytes of IPv4 + UDP
            0x45, 0, 0x01, 0x48, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 77, 0, 1, 10, 77, 0, 2,
            0x9c, 0x41, 0x27, 0x0f, 0x01, 0x34, 0, 0,
        ];

        NflogPacket? packet = NflogCodec.DecodePacket(PacketType, payload);

        Assert.NotNull(packet);
        Assert.Equal(new NflogPacket(6, "DRI|xyzw", 4, 17, IPAddress.Parse("10.77.0.1"), IPAddress.Parse("10.77.0.2"), 40001, 9999, 328) { InInterface = 3, Mark = 0x1234 }, packet);
    }

    [Fact]
    public void DecodeIp_Ipv6TcpBehindHopByHop_PortsOfTheTransportHeader()
    {
        byte[] ip =
        [
            0x60, 0, 0, 0, 0, 28, 0 /* hop-by-hop */, 64,
            0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
            0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
            6, 0, 0, 0, 0, 0, 0, 0, // hop-by-hop: next TCP, 8 bytes
            0x30, 0x39, 0x1f, 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0,
        ];

        NflogPacket? packet = NflogCodec.DecodeIp(2, "APE0|abc", ip);

        Assert.Equal(new NflogPacket(2, "APE0|abc", 6, 6, IPAddress.Parse("fd77::1"), IPAddress.Parse("fd77::2"), 12345, 8080, 68), packet);
    }

    [Fact]
    public void DecodeIp_IcmpEcho_TypeAndCodeNoPorts()
    {
        byte[] ip = [0x45, 0, 0, 84, 0, 0, 0x40, 0, 64, 1, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2, 8, 0, 0xf7, 0xff, 0, 1, 0, 1];

        NflogPacket? packet = NflogCodec.DecodeIp(1, "p", ip);

        Assert.NotNull(packet);
        Assert.Equal((byte)1, packet.Protocol);
        Assert.Equal((byte?)8, packet.IcmpType);
        Assert.Equal((byte?)0, packet.IcmpCode);
        Assert.Equal((0, 0, 84), (packet.SourcePort, packet.DestinationPort, packet.PacketLength));
    }

    [Fact]
    public void DecodeIp_LaterFragmentOrGarbage_NoPortsOrNull()
    {
        byte[] fragment = [0x45, 0, 0, 100, 0, 0, 0x00, 0x10, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x9c, 0x41, 0x27, 0x0f];

        Assert.Equal((ushort)0, NflogCodec.DecodeIp(1, "p", fragment)!.DestinationPort);
        Assert.Null(NflogCodec.DecodeIp(1, "p", [0x45, 0, 0]));
        Assert.Null(NflogCodec.DecodeIp(1, "p", [0x20, 0, 0, 0]));
        Assert.Null(NflogCodec.DecodePacket((ushort)(PacketType + 1), new byte[8]));
    }

    [Fact]
    public void WriteConfig_Bind_CommandModeAndRangeAsTheAbiWants()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Netfilter);

        NflogCodec.WriteConfig(writer, 7, group: 2, bind: true, copyRange: 128, bufferSize: 65536, flushTimeoutCentiseconds: 1);

        byte[] bytes = writer.Written.ToArray();
        Assert.Equal(0x0401, BitConverter.ToUInt16(bytes, 4)); // NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_CONFIG
        Assert.Equal([0, 0, 0, 2], bytes[16..20]); // nfgenmsg: AF_UNSPEC, v0, group 2
        Assert.Equal([5, 0, 1, 0, 1], bytes[20..25]); // NFULA_CFG_CMD BIND
        Assert.Equal([10, 0, 2, 0, 0, 0, 0, 128, 2, 0], bytes[28..38]); // NFULA_CFG_MODE range 128, COPY_PACKET
        Assert.Equal(bytes.Length, BitConverter.ToInt32(bytes, 0));
    }
}
