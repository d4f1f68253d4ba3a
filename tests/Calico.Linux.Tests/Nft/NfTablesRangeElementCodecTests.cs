using Calico.Linux.Interop;
using Calico.Linux.Netlink;
using Calico.Linux.Nft;

namespace Calico.Linux.Tests.Nft;

/// <summary>Pure: concatenated interval (pipapo) elements to key and inclusive key_end, as nft 1.0.6 sends them.</summary>
[Trait("Tier", "Unit")]
public class NfTablesRangeElementCodecTests
{
    [Theory]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "10.0.0.0/24 . 6 . 80-90", "0a000000" + "06000000" + "00500000", "0a0000ff" + "06000000" + "005a0000")]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "10.0.0.5 . 6 . 443", "0a000005" + "06000000" + "01bb0000", "0a000005" + "06000000" + "01bb0000")]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "10.0.0.5/32 . tcp . 443", "0a000005" + "06000000" + "01bb0000", "0a000005" + "06000000" + "01bb0000")]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "0.0.0.0/0 . 6 . 0-65535", "00000000" + "06000000" + "00000000", "ffffffff" + "06000000" + "ffff0000")]
    [InlineData(NftSetKind.Ipv4ProtoInterval, "10.0.0.1 . 17", "0a000001" + "11000000", "0a000001" + "11000000")]
    [InlineData(NftSetKind.Ipv4ProtoInterval, "10.0.0.0/24 . 6", "0a000000" + "06000000", "0a0000ff" + "06000000")]
    [InlineData(NftSetKind.Ipv6ProtoInterval, "::/0 . 58", "00000000000000000000000000000000" + "3a000000", "ffffffffffffffffffffffffffffffff" + "3a000000")]
    [InlineData(NftSetKind.Ipv6ProtoPortInterval, "fd00::/64 . 6 . 443",
        "fd000000000000000000000000000000" + "06000000" + "01bb0000", "fd00000000000000ffffffffffffffff" + "06000000" + "01bb0000")]
    [InlineData(NftSetKind.Ipv6ProtoPortInterval, "fd00::1 . 132 . 1-2",
        "fd000000000000000000000000000001" + "84000000" + "00010000", "fd000000000000000000000000000001" + "84000000" + "00020000")]
    public void Encode_RangeConcat_WritesStartAndInclusiveEnd(NftSetKind kind, string element, string startHex, string endHex)
    {
        Span<byte> start = stackalloc byte[NfTablesElementCodec.MaxKeyLength];
        Span<byte> end = stackalloc byte[NfTablesElementCodec.MaxKeyLength];

        int length = NfTablesElementCodec.Encode(kind, element, start, end, out int endLength);

        Assert.Equal(startHex, Convert.ToHexStringLower(start[..length]));
        Assert.Equal(endHex, Convert.ToHexStringLower(end[..endLength]));
    }

    [Theory]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "10.0.0.0/24 . 6")]
    [InlineData(NftSetKind.Ipv4ProtoInterval, "10.0.0.0/24 . 6 . 80")]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "10.0.0.1/24 . 6 . 80")]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "10.0.0.0/33 . 6 . 80")]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "10.0.0.0 . 256 . 80")]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "10.0.0.0 . 6 . 90-80")]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "10.0.0.0 . 6 . 80-")]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "10.0.0.0 . 6 . 65536")]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, "fd00::1 . 6 . 80")]
    [InlineData(NftSetKind.Ipv6ProtoInterval, "10.0.0.1 . 6")]
    [InlineData(NftSetKind.Ipv6ProtoInterval, "fd00::1/64 . 6")]
    [InlineData(NftSetKind.Ipv4ProtoInterval, "10.0.0.1")]
    [InlineData(NftSetKind.Ipv4ProtoInterval, "")]
    public void Encode_InvalidRangeConcat_ThrowsNamingIt(NftSetKind kind, string element)
    {
        byte[] start = new byte[NfTablesElementCodec.MaxKeyLength];
        byte[] end = new byte[NfTablesElementCodec.MaxKeyLength];

        ArgumentException failure = Assert.Throws<ArgumentException>(() => NfTablesElementCodec.Encode(kind, element, start, end, out _));

        Assert.Contains("'" + element + "'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteElements_RangeConcat_MatchesTheBytesNftSends()
    {
        // nft --debug=mnl add element inet t s { 10.0.0.0/24 . 6 . 80-90 } (set "type ipv4_addr . inet_proto .
        // inet_service; flags interval;"): ELEMENTS { LIST_ELEM { KEY { VALUE 0a000000 06000000 00500000 },
        // KEY_END (10) { VALUE 0a0000ff 06000000 005a0000 } } }, no flags, nests flagged NLA_F_NESTED.
        const string Expected = "30000380" + "2c000180"
            + "14000180" + "10000100" + "0a000000" + "06000000" + "00500000"
            + "14000a80" + "10000100" + "0a0000ff" + "06000000" + "005a0000";
        var writer = new NetlinkWriter(NetlinkProtocol.Netfilter);

        int nest = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_LIST_ELEMENTS);
        NfTablesElementCodec.WriteElements(writer, NftSetKind.Ipv4ProtoPortInterval, "10.0.0.0/24 . 6 . 80-90");
        writer.EndNested(nest);

        Assert.Equal(Expected, Convert.ToHexStringLower(writer.Written));
    }

    [Fact]
    public void WriteElements_SingleValues_StillSendKeyEnd()
    {
        // nft --debug=netlink add element inet t p { 10.0.0.1 . 17 }: "element 0100000a 00000011 - 0100000a 00000011".
        const string Expected = "24000180"
            + "10000180" + "0c000100" + "0a000001" + "11000000"
            + "10000a80" + "0c000100" + "0a000001" + "11000000";
        var writer = new NetlinkWriter(NetlinkProtocol.Netfilter);

        NfTablesElementCodec.WriteElements(writer, NftSetKind.Ipv4ProtoInterval, "10.0.0.1 . 17");

        Assert.Equal(Expected, Convert.ToHexStringLower(writer.Written));
    }
}
