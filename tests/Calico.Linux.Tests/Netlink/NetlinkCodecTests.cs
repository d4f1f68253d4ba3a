using System.Net;
using Calico.Linux.Netlink;

namespace Calico.Linux.Tests.Netlink;

[Trait("Tier", "Unit")]
public class NetlinkCodecTests
{
    [Fact]
    public void Writer_VethRequest_NestsPeerWithPatchedLengths()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.BeginMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, 7);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, "cali1");
        int linkInfo = writer.BeginNested(Rtnl.IFLA_LINKINFO);
        writer.PutString(Rtnl.IFLA_INFO_KIND, "veth");
        int data = writer.BeginNested(Rtnl.IFLA_INFO_DATA);
        int peer = writer.BeginNested(Rtnl.VETH_INFO_PEER);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, "eth0");
        writer.EndNested(peer);
        writer.EndNested(data);
        writer.EndNested(linkInfo);
        writer.EndMessage();
        byte[] bytes = writer.Written.ToArray();

        var messages = new NetlinkMessageReader(bytes);
        Assert.True(messages.TryRead(out NetlinkMessage message));
        Assert.Equal(Rtnl.RTM_NEWLINK, message.Type);
        Assert.Equal(7u, message.Sequence);
        Assert.Equal(bytes.Length - Rtnl.HeaderLength, message.Payload.Length);
        Assert.Equal(0, bytes.Length % 4);

        var attributes = new AttributeReader(message.Payload[Rtnl.IfInfoMsgLength..]);
        Assert.True(attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value));
        Assert.Equal(Rtnl.IFLA_IFNAME, type);
        Assert.Equal("cali1", AttributeReader.ReadString(value));
        Assert.True(attributes.TryRead(out type, out value));
        Assert.Equal(Rtnl.IFLA_LINKINFO, type);
        var info = new AttributeReader(value);
        Assert.True(info.TryRead(out type, out ReadOnlySpan<byte> kind));
        Assert.Equal("veth", AttributeReader.ReadString(kind));
        Assert.True(info.TryRead(out type, out ReadOnlySpan<byte> infoData));
        Assert.Equal(Rtnl.IFLA_INFO_DATA, type);
        var peerReader = new AttributeReader(infoData);
        Assert.True(peerReader.TryRead(out type, out ReadOnlySpan<byte> peerPayload));
        Assert.Equal(Rtnl.VETH_INFO_PEER, type);
        LinkInfo peerLink = RtnlCodec.ParseLink(peerPayload);
        Assert.Equal("eth0", peerLink.Name);
        Assert.False(attributes.TryRead(out _, out _));
    }

    [Fact]
    public void Codec_LinkRoundTrip_ReadsNameMacMtuKind()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.BeginMessage(Rtnl.RTM_NEWLINK, 0, 1);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 42, Rtnl.IFF_UP, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, "cali0123456789a");
        writer.PutAttribute(Rtnl.IFLA_ADDRESS, [0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
        writer.PutInt32(Rtnl.IFLA_MTU, 1440);
        int info = writer.BeginNested(Rtnl.IFLA_LINKINFO);
        writer.PutString(Rtnl.IFLA_INFO_KIND, "veth");
        writer.EndNested(info);
        writer.EndMessage();
        var reader = new NetlinkMessageReader(writer.Written);
        Assert.True(reader.TryRead(out NetlinkMessage message));

        LinkInfo link = RtnlCodec.ParseLink(message.Payload);

        Assert.Equal(new LinkInfo(42, "cali0123456789a", "ee:ee:ee:ee:ee:ee", 1440, Rtnl.IFF_UP, "veth", 0), link);
        Assert.True(link.IsUp);
    }

    [Theory]
    [InlineData("10.65.0.5", 32)]
    [InlineData("fd00::5", 128)]
    public void Codec_AddressRoundTrip_ReadsAddressAndPrefix(string text, int prefix)
    {
        IPAddress address = IPAddress.Parse(text);
        byte family = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Rtnl.AF_INET : Rtnl.AF_INET6;
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.BeginMessage(Rtnl.RTM_NEWADDR, 0, 1);
        writer.WriteIfAddrMsg(family, (byte)prefix, 0, 0, 3);
        writer.PutAddress(Rtnl.IFA_ADDRESS, address);
        writer.PutAddress(Rtnl.IFA_LOCAL, address);
        writer.PutUInt32(Rtnl.IFA_FLAGS, Rtnl.IFA_F_NODAD | Rtnl.IFA_F_PERMANENT);
        writer.EndMessage();
        var reader = new NetlinkMessageReader(writer.Written);
        Assert.True(reader.TryRead(out NetlinkMessage message));

        Assert.True(RtnlCodec.TryParseAddress(message.Payload, out AddressInfo? parsed));

        Assert.Equal(new AddressInfo(3, address, prefix, 0, Rtnl.IFA_F_NODAD | Rtnl.IFA_F_PERMANENT), parsed);
    }

    [Fact]
    public void Codec_RouteRoundTrip_ReadsGatewayOifAndOnlink()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.BeginMessage(Rtnl.RTM_NEWROUTE, 0, 1);
        writer.WriteRtMsg(Rtnl.AF_INET, 0, Rtnl.RT_TABLE_MAIN, Rtnl.RTPROT_BOOT, 0, Rtnl.RTN_UNICAST, Rtnl.RTNH_F_ONLINK);
        writer.PutAddress(Rtnl.RTA_GATEWAY, IPAddress.Parse("169.254.1.1"));
        writer.PutInt32(Rtnl.RTA_OIF, 2);
        writer.PutUInt32(Rtnl.RTA_TABLE, Rtnl.RT_TABLE_MAIN);
        writer.EndMessage();
        var reader = new NetlinkMessageReader(writer.Written);
        Assert.True(reader.TryRead(out NetlinkMessage message));

        Assert.True(RtnlCodec.TryParseRoute(message.Payload, out RouteInfo? route));

        Assert.Equal(IPNetwork.Parse("0.0.0.0/0"), route.Destination);
        Assert.Equal(IPAddress.Parse("169.254.1.1"), route.Gateway);
        Assert.Equal(2, route.OutInterfaceIndex);
        Assert.True(route.OnLink);
        Assert.Equal(254u, route.Table);
    }

    [Fact]
    public void Writer_NdMsg_HasKernelLayout()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.WriteNdMsg(Rtnl.AF_INET, 5, Rtnl.NUD_PERMANENT, 0, 0);
        ReadOnlySpan<byte> bytes = writer.Written;
        Assert.Equal(Rtnl.NdMsgLength, bytes.Length);
        Assert.Equal(Rtnl.AF_INET, bytes[0]);
        Assert.Equal(5, HostOrder.ReadInt32(bytes[4..]));
        Assert.Equal(Rtnl.NUD_PERMANENT, HostOrder.ReadUInt16(bytes[8..]));
    }

    [Fact]
    public void Reader_LengthBeyondDatagram_Throws()
    {
        byte[] bytes = new byte[16];
        HostOrder.WriteUInt32(bytes, 64);
        Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new NetlinkMessageReader(bytes);
            reader.TryRead(out _);
        });
    }

    [Fact]
    public void FormatMac_IsLowerCaseColonHex() =>
        Assert.Equal("0a:1b:ee:00:ff:09", RtnlCodec.FormatMac([0x0a, 0x1b, 0xee, 0x00, 0xff, 0x09]));
}
