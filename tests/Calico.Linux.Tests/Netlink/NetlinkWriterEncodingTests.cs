using System.Net;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Tests.Netlink;

/// <summary>
/// Unit tests: the one netlink writer produces, byte for byte, what the two writers it replaced produced (rtnetlink's
/// stack writer and the nfnetlink batch writer; the expected hex was captured from them before they were deleted):
/// header, family structs, host- and big-endian integers, padding, nesting with and without NLA_F_NESTED, batch framing.
/// </summary>
[Trait("Tier", "Unit")]
public class NetlinkWriterEncodingTests
{
    [Fact]
    public void Route_VethRequest_NestsWithoutFlagAndPadsStrings()
    {
        const string Expected = "7c00000010000506070000000000000000000000000000000000000000000000"
            + "0a00030063616c69310000000a000100eeeeeeeeeeee000008000400a0050000"
            + "3c0012000900010076657468000000002c000200280001000000000000000000"
            + "000000000000000009000300657468300000000008001c0009000000";
        var writer = new NetlinkWriter(NetlinkProtocol.Route);

        writer.BeginMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, 7);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, "cali1");
        writer.PutAttribute(Rtnl.IFLA_ADDRESS, [0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
        writer.PutInt32(Rtnl.IFLA_MTU, 1440);
        int linkInfo = writer.BeginNested(Rtnl.IFLA_LINKINFO);
        writer.PutString(Rtnl.IFLA_INFO_KIND, "veth");
        int data = writer.BeginNested(Rtnl.IFLA_INFO_DATA);
        int peer = writer.BeginNested(Rtnl.VETH_INFO_PEER);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, "eth0");
        writer.PutInt32(Rtnl.IFLA_NET_NS_FD, 9);
        writer.EndNested(peer);
        writer.EndNested(data);
        writer.EndNested(linkInfo);
        writer.EndMessage();

        Assert.Equal(Expected, Convert.ToHexStringLower(writer.Written));
    }

    [Fact]
    public void Route_RtMsg_LayoutAndHostOrderAttributes()
    {
        const string Expected = "44000000180005050403020100000000021a0000005000010400000008000100"
            + "0a410140080005000a4101010800040005000000080006000004000008000f00"
            + "2c010000";
        var writer = new NetlinkWriter(NetlinkProtocol.Route);

        writer.BeginMessage(Rtnl.RTM_NEWROUTE, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_REPLACE, 0x01020304);
        writer.WriteRtMsg(Rtnl.AF_INET, 26, 0, 80, Rtnl.RT_SCOPE_UNIVERSE, Rtnl.RTN_UNICAST, Rtnl.RTNH_F_ONLINK);
        writer.PutAddress(Rtnl.RTA_DST, IPAddress.Parse("10.65.1.64"));
        writer.PutAddress(Rtnl.RTA_GATEWAY, IPAddress.Parse("10.65.1.1"));
        writer.PutInt32(Rtnl.RTA_OIF, 5);
        writer.PutUInt32(Rtnl.RTA_PRIORITY, 1024);
        writer.PutUInt32(Rtnl.RTA_TABLE, 300);
        writer.EndMessage();

        Assert.Equal(Expected, Convert.ToHexStringLower(writer.Written));
    }

    [Fact]
    public void Route_IfAddrMsg_WithIPv6Addresses()
    {
        const string Expected = "480000001400050603000000000000000a8002000400000014000200fd000000"
            + "00000000000000000000000514000100fd000000000000000000000000000005"
            + "0800080002000000";
        var writer = new NetlinkWriter(NetlinkProtocol.Route);

        writer.BeginMessage(Rtnl.RTM_NEWADDR, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, 3);
        writer.WriteIfAddrMsg(Rtnl.AF_INET6, 128, (byte)Rtnl.IFA_F_NODAD, Rtnl.RT_SCOPE_UNIVERSE, 4);
        writer.PutAddress(Rtnl.IFA_LOCAL, IPAddress.Parse("fd00::5"));
        writer.PutAddress(Rtnl.IFA_ADDRESS, IPAddress.Parse("fd00::5"));
        writer.PutUInt32(Rtnl.IFA_FLAGS, Rtnl.IFA_F_NODAD);
        writer.EndMessage();

        Assert.Equal(Expected, Convert.ToHexStringLower(writer.Written));
    }

    [Fact]
    public void Route_NdMsg_FdbEntryWithPaddedMac()
    {
        const string Expected = "3c0000001c0005050b00000000000000070000000c000000800002000a000200"
            + "66000000000a00001400010020010db8000000000000000000000002";
        var writer = new NetlinkWriter(NetlinkProtocol.Route);

        writer.BeginMessage(Rtnl.RTM_NEWNEIGH, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_REPLACE, 11);
        writer.WriteNdMsg(Rtnl.AF_BRIDGE, 12, Rtnl.NUD_PERMANENT, Rtnl.NTF_SELF, 0);
        writer.PutAttribute(Rtnl.NDA_LLADDR, [0x66, 0, 0, 0, 0, 0x0a]);
        writer.PutAddress(Rtnl.NDA_DST, IPAddress.Parse("2001:db8::2"));
        writer.EndMessage();

        Assert.Equal(Expected, Convert.ToHexStringLower(writer.Written));
    }

    [Fact]
    public void Route_VxlanRequest_OneAndTwoByteValuesPadded()
    {
        const string Expected = "60000000100005060c0000000000000000000000000000000000000000000000"
            + "1100030076786c616e2e63616c69636f000000002c0012000a00010076786c61"
            + "6e0000001c0002000800010000100000050007000000000006000f0012b50000";
        var writer = new NetlinkWriter(NetlinkProtocol.Route);

        writer.BeginMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, 12);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, "vxlan.calico");
        int linkInfo = writer.BeginNested(Rtnl.IFLA_LINKINFO);
        writer.PutString(Rtnl.IFLA_INFO_KIND, "vxlan");
        int data = writer.BeginNested(Rtnl.IFLA_INFO_DATA);
        writer.PutUInt32(Rtnl.IFLA_VXLAN_ID, 4096);
        writer.PutAttribute(Rtnl.IFLA_VXLAN_LEARNING, [0]);
        writer.PutAttribute(Rtnl.IFLA_VXLAN_PORT, [0x12, 0xb5]);
        writer.EndNested(data);
        writer.EndNested(linkInfo);
        writer.EndMessage();

        Assert.Equal(Expected, Convert.ToHexStringLower(writer.Written));
    }

    [Fact]
    public void Netfilter_Batch_FramesBeginMessageEndWithNfGenMsgAndFlaggedNests()
    {
        const string Expected = "140000001000010064000000000000000000000a500000000c0a050065000000"
            + "00000000010000000b00010063616c69636f00001000020063616c693430733a"
            + "61626300200003801c000180080003000000000110000180090001000a020000"
            + "07000000140000001100010066000000000000000000000a";
        var writer = new NetlinkWriter(NetlinkProtocol.Netfilter);

        writer.BeginMessage(NfNetlink.NFNL_MSG_BATCH_BEGIN, Rtnl.NLM_F_REQUEST, 100, Rtnl.AF_UNSPEC, NfNetlink.NFNL_SUBSYS_NFTABLES);
        writer.EndMessage();
        int start = writer.BeginMessage(NfNetlink.MessageType(NfNetlink.NFT_MSG_NEWSETELEM), Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, 101, NfNetlink.NFPROTO_INET, 0);
        int table = writer.PutString(NfNetlink.NFTA_SET_ELEM_LIST_TABLE, "calico");
        int set = writer.PutString(NfNetlink.NFTA_SET_ELEM_LIST_SET, "cali40s:abc");
        int elements = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_LIST_ELEMENTS);
        int element = writer.BeginNested(NfNetlink.NFTA_LIST_ELEM);
        writer.PutBigEndianUInt32(NfNetlink.NFTA_SET_ELEM_FLAGS, NfNetlink.NFT_SET_ELEM_INTERVAL_END);
        int key = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_KEY);
        writer.PutAttribute(NfNetlink.NFTA_DATA_VALUE, [10, 2, 0, 0, 7]);
        writer.EndNested(key);
        writer.EndNested(element);
        writer.EndNested(elements);
        writer.EndMessage();
        writer.BeginMessage(NfNetlink.NFNL_MSG_BATCH_END, Rtnl.NLM_F_REQUEST, 102, Rtnl.AF_UNSPEC, NfNetlink.NFNL_SUBSYS_NFTABLES);
        writer.EndMessage();

        Assert.Equal(Expected, Convert.ToHexStringLower(writer.Written));
        Assert.Equal((20, 40, 52, 68), (start, table, set, elements));
    }

    [Fact]
    public void Reset_ReusesTheBufferForTheNextRequest()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route, initialCapacity: 64);
        writer.BeginMessage(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST, 1);
        writer.PutString(Rtnl.IFLA_IFNAME, "a-long-interface-name-to-fill");
        writer.EndMessage();

        writer.Reset();
        writer.BeginMessage(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST, 2);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 3, 0, 0);
        writer.EndMessage();

        Assert.Equal(Rtnl.HeaderLength + Rtnl.IfInfoMsgLength, writer.Length);
        Assert.Equal((uint)writer.Length, HostOrder.ReadUInt32(writer.Written));
        Assert.Equal(2u, HostOrder.ReadUInt32(writer.Written[8..]));
    }

    [Fact]
    public void Writer_GrowsPastItsInitialCapacity_KeepingWhatWasWritten()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Netfilter, initialCapacity: 16);
        writer.BeginMessage(NfNetlink.MessageType(NfNetlink.NFT_MSG_NEWSETELEM), Rtnl.NLM_F_REQUEST, 9, NfNetlink.NFPROTO_INET, 0);
        int nest = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_LIST_ELEMENTS);
        for (int i = 0; i < 1000; i++)
        {
            writer.PutBigEndianUInt32(NfNetlink.NFTA_SET_ELEM_FLAGS, (uint)i);
        }

        writer.EndNested(nest);
        writer.EndMessage();

        Assert.Equal(Rtnl.HeaderLength + NfNetlink.NfGenMsgLength + 4 + (1000 * 8), writer.Length);
        Assert.Equal((uint)writer.Length, HostOrder.ReadUInt32(writer.Written));
        Assert.Equal(9u, HostOrder.ReadUInt32(writer.Written[8..]));
        Assert.Equal((ushort)(writer.Length - 20), HostOrder.ReadUInt16(writer.Written[20..]));
        Assert.Equal(999u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(writer.Written[^4..]));
    }

    [Fact]
    public void EndNested_BeyondSixteenBits_Throws()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Netfilter);
        int nest = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_LIST_ELEMENTS);
        writer.PutAttribute(NfNetlink.NFTA_DATA_VALUE, new byte[ushort.MaxValue]);

        Assert.Throws<InvalidOperationException>(() => writer.EndNested(nest));
    }

    [Fact]
    public void EndMessage_WithoutBegin_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new NetlinkWriter(NetlinkProtocol.Route).EndMessage());
}
