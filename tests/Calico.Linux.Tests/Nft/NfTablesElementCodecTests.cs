using Calico.Linux.Interop;
using Calico.Linux.Netlink;
using Calico.Linux.Nft;

namespace Calico.Linux.Tests.Nft;

/// <summary>Pure: element text to key bytes, and message layout as nft 1.0.6 sends it (<c>nft --debug=mnl</c>).</summary>
[Trait("Tier", "Unit")]
public class NfTablesElementCodecTests
{
    [Theory]
    [InlineData(NftSetKind.Ipv4Prefix, "10.0.0.1", "0a000001", "0a000002")]
    [InlineData(NftSetKind.Ipv4Prefix, "10.0.0.1/32", "0a000001", "0a000002")]
    [InlineData(NftSetKind.Ipv4Prefix, "10.0.0.255", "0a0000ff", "0a000100")]
    [InlineData(NftSetKind.Ipv4Prefix, "10.1.0.0/24", "0a010000", "0a010100")]
    [InlineData(NftSetKind.Ipv4Prefix, "10.0.0.0/8", "0a000000", "0b000000")]
    [InlineData(NftSetKind.Ipv4Prefix, "0.0.0.0/0", "00000000", "")]
    [InlineData(NftSetKind.Ipv4Prefix, "255.255.255.255", "ffffffff", "")]
    [InlineData(NftSetKind.Ipv4Prefix, "255.255.255.0/24", "ffffff00", "")]
    [InlineData(NftSetKind.Ipv6Prefix, "fd00::1", "fd000000000000000000000000000001", "fd000000000000000000000000000002")]
    [InlineData(NftSetKind.Ipv6Prefix, "fd00:1::/64", "fd000001000000000000000000000000", "fd000001000000010000000000000000")]
    [InlineData(NftSetKind.Ipv6Prefix, "::/0", "00000000000000000000000000000000", "")]
    [InlineData(NftSetKind.Ipv4Addr, "192.0.2.7", "c0000207", "")]
    [InlineData(NftSetKind.Ipv6Addr, "2001:db8::7", "20010db8000000000000000000000007", "")]
    [InlineData(NftSetKind.Ipv4PortConcat, "10.0.0.1 . tcp . 80", "0a000001" + "06000000" + "00500000", "")]
    [InlineData(NftSetKind.Ipv4PortConcat, "10.0.0.1 . udp . 53", "0a000001" + "11000000" + "00350000", "")]
    [InlineData(NftSetKind.Ipv4PortConcat, "10.0.0.1 . sctp . 65535", "0a000001" + "84000000" + "ffff0000", "")]
    [InlineData(NftSetKind.Ipv6PortConcat, "fd00::1 . udp . 53", "fd000000000000000000000000000001" + "11000000" + "00350000", "")]
    public void Encode_ValidElement_WritesKeyAndIntervalEnd(NftSetKind kind, string element, string startHex, string endHex)
    {
        Span<byte> start = stackalloc byte[NfTablesElementCodec.MaxKeyLength];
        Span<byte> end = stackalloc byte[NfTablesElementCodec.MaxKeyLength];

        int length = NfTablesElementCodec.Encode(kind, element, start, end, out int endLength);

        Assert.Equal(startHex, Convert.ToHexStringLower(start[..length]));
        Assert.Equal(endHex, Convert.ToHexStringLower(end[..endLength]));
    }

    [Theory]
    [InlineData(NftSetKind.Ipv4Prefix, "10.0.0.1/24")]
    [InlineData(NftSetKind.Ipv4Prefix, "10.0.0.0/33")]
    [InlineData(NftSetKind.Ipv4Prefix, "10.1")]
    [InlineData(NftSetKind.Ipv4Prefix, "010.0.0.1")]
    [InlineData(NftSetKind.Ipv4Prefix, "fd00::1")]
    [InlineData(NftSetKind.Ipv6Prefix, "10.0.0.1")]
    [InlineData(NftSetKind.Ipv6Prefix, "fd00::1%eth0")]
    [InlineData(NftSetKind.Ipv6Prefix, "fd00::1/64")]
    [InlineData(NftSetKind.Ipv4Addr, "10.0.0.0/24")]
    [InlineData(NftSetKind.Ipv4PortConcat, "10.0.0.1 . tcp")]
    [InlineData(NftSetKind.Ipv4PortConcat, "10.0.0.1 . icmpx . 80")]
    [InlineData(NftSetKind.Ipv4PortConcat, "10.0.0.1 . tcp . 70000")]
    [InlineData(NftSetKind.Ipv4PortConcat, "fd00::1 . tcp . 80")]
    [InlineData(NftSetKind.Ipv6PortConcat, "10.0.0.1 . tcp . 80")]
    [InlineData(NftSetKind.Ipv4Prefix, "")]
    public void Encode_InvalidElement_ThrowsNamingIt(NftSetKind kind, string element)
    {
        byte[] start = new byte[NfTablesElementCodec.MaxKeyLength];
        byte[] end = new byte[NfTablesElementCodec.MaxKeyLength];

        ArgumentException failure = Assert.Throws<ArgumentException>(() => NfTablesElementCodec.Encode(kind, element, start, end, out _));

        Assert.Contains("'" + element + "'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteElements_Prefix_MatchesTheBytesNftSends()
    {
        // nft --debug=mnl add element inet calico s4 { 10.2.0.0/16 }: ELEMENTS { LIST_ELEM { KEY { VALUE 0a020000 } },
        // LIST_ELEM { FLAGS be32 1, KEY { VALUE 0a030000 } } }, nests flagged NLA_F_NESTED.
        const string Expected = "2c000380" + "10000180" + "0c000180" + "080001000a020000"
            + "18000180" + "0800030000000001" + "0c000180" + "080001000a030000";
        var writer = new NetlinkWriter(NetlinkProtocol.Netfilter);

        int nest = writer.BeginNested(NfNetlink.NFTA_SET_ELEM_LIST_ELEMENTS);
        NfTablesElementCodec.WriteElements(writer, NftSetKind.Ipv4Prefix, "10.2.0.0/16");
        writer.EndNested(nest);

        Assert.Equal(Expected, Convert.ToHexStringLower(writer.Written));
    }

    [Fact]
    public void WriteElements_OpenInterval_CarriesLibnftnlOpenFlagAndNoEnd()
    {
        // nft sends 255.255.255.255/32 as one start element with userdata { 01 04 01000000 } (flags TLV, "interval open").
        const string Expected = "1c000180" + "0c000180" + "08000100ffffffff" + "0a000600" + "010401000000" + "0000";
        var writer = new NetlinkWriter(NetlinkProtocol.Netfilter);

        NfTablesElementCodec.WriteElements(writer, NftSetKind.Ipv4Prefix, "255.255.255.255");

        Assert.Equal(Expected, Convert.ToHexStringLower(writer.Written));
    }

    [Fact]
    public void BuildBatch_TwoSets_FramesBeginMessagesEnd()
    {
        using NfTablesSetElements elements = NfTablesSetElements.Open();

        elements.BuildBatch(NfNetlink.NFPROTO_INET, "calico",
            [new("a", NftSetKind.Ipv4Prefix, false, "10.0.0.1"), new("a", NftSetKind.Ipv4Prefix, false, "10.0.0.2"), new("b", NftSetKind.Ipv4Addr, true, "10.0.0.3")],
            out uint begin, out uint end);

        List<(ushort Type, ushort Flags, uint Sequence, string NfGenMsg)> messages = Messages(elements.LastBatch);
        Assert.Equal(
            [
                (16, 0x1, begin, "0000000a"),
                (0x0a0e, 0x5, begin + 1, "01000000"),
                (0x0a0c, 0x5, begin + 2, "01000000"),
                (17, 0x1, end, "0000000a"),
            ],
            messages);
        Assert.Equal(begin + 3, end);
    }

    [Theory]
    [InlineData("inet6", "calico", "a")]
    [InlineData("inet", "", "a")]
    [InlineData("inet", "calico", "")]
    public void Apply_InvalidFamilyTableOrSet_ThrowsBeforeSending(string family, string table, string set)
    {
        using NfTablesSetElements elements = NfTablesSetElements.Open();

        Assert.Throws<ArgumentException>(() => elements.Apply(family, table, [new(set, NftSetKind.Ipv4Prefix, true, "10.0.0.1")]));
    }

    private static List<(ushort, ushort, uint, string)> Messages(ReadOnlySpan<byte> batch)
    {
        var messages = new List<(ushort, ushort, uint, string)>();
        var reader = new Calico.Linux.Netlink.NetlinkMessageReader(batch);
        while (reader.TryRead(out Calico.Linux.Netlink.NetlinkMessage message))
        {
            messages.Add((message.Type, message.Flags, message.Sequence, Convert.ToHexStringLower(message.Payload[..4])));
        }

        return messages;
    }
}
