using System.Net;

namespace Calico.Nftables.Tests;

/// <summary>The NAT statements' text is what nft 1.0.6 lists back (checked by the kernel oracle in Calico.Linux.Tests).</summary>
[Trait("Tier", "Unit")]
public sealed class NftNatTextTests
{
    private static readonly NftMatch Tcp = new(NftField.MetaL4proto, NftProtocol.Named(6));

    public static TheoryData<string, NftStatement> Statements => new()
    {
        { "snat ip to 1.2.3.4", NftNat.Snat(IPAddress.Parse("1.2.3.4")) },
        { "snat ip to 1.2.3.4:1024-65535 fully-random", NftNat.Snat(IPAddress.Parse("1.2.3.4"), new NftPortRange(1024, 65535), NftNatFlags.FullyRandom) },
        { "snat ip to 1.2.3.4:80", NftNat.Snat(IPAddress.Parse("1.2.3.4"), new NftPortRange(80)) },
        { "snat ip to 1.2.3.4 random,fully-random,persistent", NftNat.Snat(IPAddress.Parse("1.2.3.4"), flags: NftNatFlags.Persistent | NftNatFlags.FullyRandom | NftNatFlags.Random) },
        { "snat ip6 to fd00::1", NftNat.Snat(IPAddress.Parse("fd00:0::1")) },
        { "snat ip6 to [fd00::1]:1024-65535 persistent", NftNat.Snat(IPAddress.Parse("fd00::1"), new NftPortRange(1024, 65535), NftNatFlags.Persistent) },
        { "dnat ip to 10.0.0.5", NftNat.Dnat(IPAddress.Parse("10.0.0.5")) },
        { "dnat ip to 10.0.0.5:8080", NftNat.Dnat(IPAddress.Parse("10.0.0.5"), new NftPortRange(8080)) },
        { "dnat ip6 to [fd00::5]:8080", NftNat.Dnat(IPAddress.Parse("fd00::5"), new NftPortRange(8080)) },
        { "masquerade", new NftMasquerade(fullyRandom: false) },
        { "masquerade fully-random", new NftMasquerade(fullyRandom: true) },
        { "masquerade to :1024-65535", new NftMasquerade(new NftPortRange(1024, 65535), NftNatFlags.None) },
        { "masquerade to :1024-65535 fully-random", new NftMasquerade(new NftPortRange(1024, 65535), NftNatFlags.FullyRandom) },
        { "masquerade random,persistent", new NftMasquerade(null, NftNatFlags.Persistent | NftNatFlags.Random) },
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public void Text_IsWhatNftLists(string expected, NftStatement statement) => Assert.Equal(expected, statement.ToString());

    [Fact]
    public void Rule_PortMappingAfterTheProtocolMatch_ReadsAsNftWritesIt()
    {
        var rule = new NftRule([Tcp, NftCounter.Instance, new NftMasquerade(new NftPortRange(1024, 65535), NftNatFlags.FullyRandom)], "NAT outgoing");

        Assert.Equal("meta l4proto tcp counter masquerade to :1024-65535 fully-random comment \"NAT outgoing\"", rule.Text);
    }

    [Fact]
    public void Properties_KeepWhatWasGiven()
    {
        NftNat nat = NftNat.Dnat(IPAddress.Parse("fd00::5"), new NftPortRange(80, 90), NftNatFlags.Persistent);

        Assert.Equal(NftNatKind.Dnat, nat.Kind);
        Assert.Equal(6, nat.Family);
        Assert.Equal(80, nat.Ports!.First);
        Assert.Equal(90, nat.Ports.Last);
        Assert.Equal(NftNatFlags.Persistent, nat.Flags);
        Assert.True(new NftMasquerade(null, NftNatFlags.FullyRandom).FullyRandom);
        Assert.False(new NftMasquerade(null, NftNatFlags.Random).FullyRandom);
    }

    [Fact]
    public void Constructor_PortZero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NftNat.Snat(IPAddress.Parse("1.2.3.4"), new NftPortRange(0, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NftMasquerade(new NftPortRange(0), NftNatFlags.None));
    }

    [Fact]
    public void Constructor_ScopedAddressOrUnknownFlag_Throws()
    {
        Assert.Throws<ArgumentException>(() => NftNat.Snat(IPAddress.Parse("fe80::1%2")));
        Assert.Throws<ArgumentOutOfRangeException>(() => NftNat.Snat(IPAddress.Parse("1.2.3.4"), flags: (NftNatFlags)8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NftMasquerade(null, (NftNatFlags)16));
    }
}
