using System.Buffers.Binary;
using System.Net;
using Calico.Linux.Netlink;

namespace Calico.Linux.Tests.Netlink;

/// <summary>Unit tests: VXLAN link data and ndmsg codecs, MAC text.</summary>
[Trait("Tier", "Unit")]
public class VxlanCodecTests
{
    [Fact]
    public void ParseLink_VxlanInfoDataBeforeKind_ReadsEveryAttribute()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.BeginMessage(Rtnl.RTM_NEWLINK, 0, 1);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 9, 0, 0);
        writer.PutString(Rtnl.IFLA_IFNAME, "vxlan.calico");
        int linkInfo = writer.BeginNested(Rtnl.IFLA_LINKINFO);

        // Data first: the reader must not depend on the kernel's attribute order.
        int data = writer.BeginNested(Rtnl.IFLA_INFO_DATA);
        writer.PutUInt32(Rtnl.IFLA_VXLAN_ID, 4096);
        writer.PutInt32(Rtnl.IFLA_VXLAN_LINK, 3);
        writer.PutAddress(Rtnl.IFLA_VXLAN_LOCAL, IPAddress.Parse("192.0.2.1"));
        writer.PutAttribute(Rtnl.IFLA_VXLAN_LEARNING, [0]);
        Span<byte> port = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(port, 4789);
        writer.PutAttribute(Rtnl.IFLA_VXLAN_PORT, port);
        writer.EndNested(data);
        writer.PutString(Rtnl.IFLA_INFO_KIND, "vxlan");
        writer.EndNested(linkInfo);
        writer.EndMessage();

        LinkInfo link = RtnlCodec.ParseLink(writer.Written[Rtnl.HeaderLength..]);

        Assert.Equal("vxlan", link.Kind);
        Assert.Equal(new VxlanAttributes(4096, 4789, IPAddress.Parse("192.0.2.1"), 3, Learning: false), link.Vxlan);
    }

    [Fact]
    public void ParseVxlanData_UnspecifiedLocal6AndLearning_NoLocal()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.PutUInt32(Rtnl.IFLA_VXLAN_ID, 7);
        writer.PutAddress(Rtnl.IFLA_VXLAN_LOCAL6, IPAddress.IPv6Any);
        writer.PutAttribute(Rtnl.IFLA_VXLAN_LEARNING, [1]);

        VxlanAttributes vxlan = RtnlCodec.ParseVxlanData(writer.Written);

        Assert.Equal(new VxlanAttributes(7, 0, null, 0, Learning: true), vxlan);
    }

    [Fact]
    public void ParseLink_OtherKind_NoVxlanAttributes()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.WriteIfInfoMsg(Rtnl.AF_UNSPEC, 2, 0, 0);
        int linkInfo = writer.BeginNested(Rtnl.IFLA_LINKINFO);
        writer.PutString(Rtnl.IFLA_INFO_KIND, "veth");
        writer.EndNested(linkInfo);

        Assert.Null(RtnlCodec.ParseLink(writer.Written).Vxlan);
    }

    [Fact]
    public void Neighbor_FdbRoundTrip_KeepsFamilyFlagsStateDestinationMac()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.WriteNdMsg(Rtnl.AF_BRIDGE, 12, Rtnl.NUD_PERMANENT, Rtnl.NTF_SELF, 0);
        writer.PutAttribute(Rtnl.NDA_LLADDR, [0x66, 0, 0, 0, 0, 0x0a]);
        writer.PutAddress(Rtnl.NDA_DST, IPAddress.Parse("2001:db8::2"));

        Assert.True(RtnlCodec.TryParseNeighbor(writer.Written, out NeighborEntry? entry));

        Assert.Equal(NeighborEntry.FdbSelf(12, "66:00:00:00:00:0A", IPAddress.Parse("2001:db8::2")), entry);
    }

    [Fact]
    public void Neighbor_IncompleteArp_HasNoMac()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.WriteNdMsg(Rtnl.AF_INET, 4, 0x01, 0, 1);
        writer.PutAddress(Rtnl.NDA_DST, IPAddress.Parse("10.0.0.9"));

        Assert.True(RtnlCodec.TryParseNeighbor(writer.Written, out NeighborEntry? entry));

        Assert.Equal((NeighborFamily.IPv4, 4, IPAddress.Parse("10.0.0.9"), (string?)null, false), (entry.Family, entry.InterfaceIndex, entry.Destination, entry.Mac, entry.IsPermanent));
    }

    [Fact]
    public void Neighbor_OtherFamily_Skipped()
    {
        var writer = new NetlinkWriter(NetlinkProtocol.Route);
        writer.WriteNdMsg(29, 4, 0, 0, 0);

        Assert.False(RtnlCodec.TryParseNeighbor(writer.Written, out _));
    }

    [Theory]
    [InlineData("66:AA:bb:0c:dd:ff", "66:aa:bb:0c:dd:ff")]
    [InlineData("00:00:00:00:00:00", "00:00:00:00:00:00")]
    public void MacAddress_Valid_NormalizesToLowerCase(string text, string expected) =>
        Assert.Equal(expected, MacAddress.Normalize(text));

    [Theory]
    [InlineData("")]
    [InlineData("66:aa:bb:cc:dd")]
    [InlineData("66-aa-bb-cc-dd-ee")]
    [InlineData("66:aa:bb:cc:dd:eg")]
    [InlineData("66:aa:bb:cc:dd:ee:ff")]
    public void MacAddress_Invalid_ThrowsNamingText(string text)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => MacAddress.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MacAddress_IsUnicast_GroupBitClear()
    {
        Assert.True(MacAddress.IsUnicast(MacAddress.Parse("66:00:00:00:00:01")));
        Assert.False(MacAddress.IsUnicast(MacAddress.Parse("01:00:5e:00:00:01")));
    }

    [Fact]
    public void NeighborEntry_Permanent_FamilyFromAddress()
    {
        Assert.Equal(NeighborFamily.IPv6, NeighborEntry.Permanent(1, IPAddress.Parse("fd00::1"), "02:00:00:00:00:01").Family);
        Assert.Equal(NeighborFamily.IPv4, NeighborEntry.Permanent(1, IPAddress.Parse("10.0.0.1"), "02:00:00:00:00:01").Family);
    }
}
