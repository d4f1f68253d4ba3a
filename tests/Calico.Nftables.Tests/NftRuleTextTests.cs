using System.Collections.Immutable;

namespace Calico.Nftables.Tests;

[Trait("Tier", "Unit")]
public sealed class NftRuleTextTests
{
    private static readonly NftCounter Counter = NftCounter.Instance;

    public static TheoryData<string, NftRule> Rules => new()
    {
        { "ct state established,related counter accept", new([new NftMatch(NftField.CtState, new NftCtState(NftCtStates.Related | NftCtStates.Established)), Counter, NftVerdict.Accept]) },
        { "iifname \"cali*\" ct state invalid counter drop", new([new NftMatch(NftField.IifName, new NftInterfaceName("cali", wildcard: true)), new NftMatch(NftField.CtState, new NftCtState(NftCtStates.Invalid)), Counter, NftVerdict.Drop]) },
        { "ct status dnat counter meta mark set meta mark | 0x00040000", new([new NftMatch(NftField.CtStatus, NftCtStatus.Dnat), Counter, new NftMarkSet(NftMarkOperation.Or, 0x40000)]) },
        { "counter meta mark set meta mark & 0xfffcffff", new([Counter, new NftMarkSet(NftMarkOperation.And, 0xfffcffff)]) },
        { "counter meta mark set meta mark | 0x00010000 return", new([Counter, new NftMarkSet(NftMarkOperation.Or, 0x10000), NftVerdict.Return]) },
        { "meta mark & 0x00020000 == 0x00000000 counter jump cali-po-x", new([new NftMarkMatch(0x20000, 0), Counter, NftVerdict.Jump("cali-po-x")]) },
        { "meta mark & 0x00010000 != 0x00010000 counter goto cali-x", new([new NftMarkMatch(0x10000, 0x10000, negated: true), Counter, NftVerdict.Goto("cali-x")]) },
        { "oifname vmap @cali-to-wl-dispatch", new([new NftVerdictMap(NftField.OifName, "cali-to-wl-dispatch")]) },
        { "meta nfproto ipv4 meta l4proto != tcp ip saddr != @cali40s_x counter drop", new([new NftMatch(NftField.MetaNfproto, NftNfproto.Ipv4), new NftMatch(NftField.MetaL4proto, NftProtocol.Named(6), negated: true), new NftMatch(NftField.IpSaddr, new NftSetReference("cali40s_x"), negated: true), Counter, NftVerdict.Drop]) },
        { "ip6 saddr { fd00::/64 } th sport { 1024-65535 } counter accept", new([new NftMatch(NftField.Ip6Saddr, new NftAnonymousSet([NftPrefix.Parse("fd00::1/64")])), new NftMatch(NftField.ThSport, new NftAnonymousSet([new NftPortRange(1024, 65535)])), Counter, NftVerdict.Accept]) },
        { "ip daddr . meta l4proto . th dport != @s counter drop", new([new NftMatch([NftField.IpDaddr, NftField.MetaL4proto, NftField.ThDport], new NftSetReference("s"), negated: true), Counter, NftVerdict.Drop]) },
        { "icmp type . icmp code != { 3 . 4 } counter accept", new([new NftMatch([NftField.IcmpType, NftField.IcmpCode], new NftAnonymousSet([new NftConcatenation([new NftNumber(3), new NftNumber(4)])]), negated: true), Counter, NftVerdict.Accept]) },
        { "meta l4proto 99 counter log prefix \"calico-packet \"", new([new NftMatch(NftField.MetaL4proto, NftProtocol.Named(99)), Counter, new NftLog("calico-packet ")]) },
        { "iifname \"cali*\" ip6 saddr != :: fib saddr . iif oif missing counter drop comment \"why\"", new([new NftMatch(NftField.IifName, new NftInterfaceName("cali", wildcard: true)), new NftMatch(NftField.Ip6Saddr, NftPrefix.Parse("::"), negated: true), new NftFib(NftFibFlags.Saddr | NftFibFlags.Iif, exists: false), Counter, NftVerdict.Drop], "why") },
        { "ip saddr @m ip daddr != @a counter masquerade fully-random", new([new NftMatch(NftField.IpSaddr, new NftSetReference("m")), new NftMatch(NftField.IpDaddr, new NftSetReference("a"), negated: true), Counter, new NftMasquerade(fullyRandom: true)]) },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Text_IsWhatNftReads(string expected, NftRule rule)
    {
        Assert.Equal(expected, rule.Text);
        Assert.Equal(expected, rule.ToString());
    }

    [Fact]
    public void Equality_SameStatementsBuiltTwice_AreEqual_ADifferentValueIsNot()
    {
        NftRule a = new([new NftMatch(NftField.IpSaddr, NftPrefix.Parse("10.0.0.0/8")), Counter, NftVerdict.Drop]);
        NftRule b = new([new NftMatch(NftField.IpSaddr, NftPrefix.Parse("10.1.2.3/8")), Counter, NftVerdict.Drop]);
        NftRule c = new([new NftMatch(NftField.IpSaddr, NftPrefix.Parse("10.0.0.0/16")), Counter, NftVerdict.Drop]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a == b);
        Assert.NotEqual(a, c);
        Assert.True(a != c);
    }

    [Fact]
    public void Constructor_StatementAfterVerdict_Throws() =>
        Assert.Throws<ArgumentException>(() => new NftRule([NftVerdict.Accept, Counter]));

    [Fact]
    public void Constructor_QuoteInComment_Throws() =>
        Assert.Throws<ArgumentException>(() => new NftRule([Counter], "a \"quoted\" word"));

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1", 32)]
    [InlineData("10.0.0.1/24", "10.0.0.0/24", 24)]
    [InlineData("fd00::1/64", "fd00::/64", 64)]
    [InlineData("::/0", "::/0", 0)]
    [InlineData("10.0.0.1/32", "10.0.0.1", 32)]
    [InlineData("fd00:0:0::1", "fd00::1", 128)]
    [InlineData("FD00::/16", "fd00::/16", 16)]
    [InlineData("10.0.0.0/08", "10.0.0.0/8", 8)]
    public void Prefix_Parse_ClearsHostBitsAndWritesAHostPlain(string input, string text, int length)
    {
        NftPrefix prefix = NftPrefix.Parse(input);
        Assert.Equal(text, prefix.Text);
        Assert.Equal(length, prefix.Length);
    }

    [Theory]
    [InlineData("10.0.0.300")]
    [InlineData("10.0.0.0/33")]
    [InlineData("fe80::1%eth0")]
    public void Prefix_Parse_Garbage_Throws(string input) => Assert.Throws<FormatException>(() => NftPrefix.Parse(input));

    [Fact]
    public void References_FindsNamedSetsAndVerdictMaps_NotPrefixesOfTheirNames()
    {
        NftRule rule = new([new NftMatch(ImmutableArray.Create(NftField.IpSaddr, NftField.MetaL4proto), new NftSetReference("cali40s_ab")), Counter, NftVerdict.Drop]);
        NftRule vmap = new([new NftVerdictMap(NftField.IifName, "dispatch")]);

        Assert.True(rule.References("cali40s_ab"));
        Assert.False(rule.References("cali40s_a"));
        Assert.True(vmap.References("dispatch"));
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("")]
    [InlineData("x\"y")]
    public void Names_nft_cannot_take_unquoted_are_refused(string name) =>
        Assert.ThrowsAny<ArgumentException>(() => NftVerdict.Jump(name));
}
