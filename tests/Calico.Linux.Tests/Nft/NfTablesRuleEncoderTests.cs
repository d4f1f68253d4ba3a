using Calico.Linux.Nft;
using Calico.Nftables;
using static Calico.Linux.Tests.Nft.TypedRules;
using F = Calico.Nftables.NftField;

namespace Calico.Linux.Tests.Nft;

/// <summary>Pure tier: what the encoder makes of typed rules, and what it refuses. The kernel oracle checks the expressions.</summary>
[Trait("Tier", "Unit")]
public sealed class NfTablesRuleEncoderTests
{
    public static TheoryData<int> Corpus()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < NftRuleCorpus.EdgeCases.Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void TryEncode_CorpusRule_Encoded(int index)
    {
        NftRule typed = NftRuleCorpus.EdgeCases[index];

        bool encoded = NfTablesRule.TryEncode(typed, null, out NfTablesRule? rule, out string? reason);

        Assert.True(encoded, reason);
        Assert.Null(reason);
        Assert.Equal(typed.Text, rule!.Text);
        Assert.NotEmpty(rule.Expressions);
    }

    public static TheoryData<NftRule, string> Refused => new()
    {
        { R(Is(F.IpSaddr, Ip("fd00::1")), Accept), "not an IPv4 address" },
        { R(Is(F.Ip6Saddr, Ip("10.0.0.1")), Accept), "not an IPv6 address" },
        { R(Is(F.IcmpType, Port(8)), Accept), "not a value for icmp type" },
        { R(Is(F.MetaL4proto, N(6)), Accept), "not a value for meta l4proto" },
        { R(Not(F.CtState, Ct(NftCtStates.Established | NftCtStates.Related)), Accept), "a negated list of ct states" },
        { R(Is(F.MetaNfproto, NftNfproto.Ipv6), Is(F.IpSaddr, Ip("10.0.0.1")), Accept), "conflicts with the IPv6 match" },
        { R(Is(F.MetaL4proto, Proto(6)), Is(F.IcmpType, N(8)), Accept), "conflicts with meta l4proto 6" },
        { R(Is(F.IifName, Ip("10.0.0.1")), Accept), "wants an interface name" },
        { R(Is(F.MetaNfproto, Proto(6)), Accept), "unsupported meta nfproto value" },
        { R(Is([F.IpSaddr, F.MetaL4proto], Ip("10.0.0.1")), Accept), "wants @set or { ... }" },
        { R(Is([F.IpSaddr, F.IifName], At("s")), Accept), "iifname in a concatenation" },
        { R(Is([F.IcmpType, F.IcmpCode], Set(Cat(N(3), N(4)), N(5))), Accept), "does not have 2 fields" },
        { R(new NftVerdictMap(F.IpSaddr, "m")), "a verdict map keyed by ip saddr" },
        { R(new NftLog(new string('x', 128))), "at most 127 characters" },
        { Commented(new string('x', 129), Counter, Accept), "at most 128 characters" },
        { Commented("caf\u00e9", Counter, Accept), "printable ASCII" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryEncode_WhatNftOrTheKernelRefuses_RefusedWithReason(NftRule typed, string reasonPart)
    {
        bool encoded = NfTablesRule.TryEncode(typed, null, out NfTablesRule? rule, out string? reason);

        Assert.False(encoded);
        Assert.Null(rule);
        Assert.NotNull(reason);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    public static TheoryData<NftRule, int> Dependencies => new()
    {
        { R(Is(F.IpSaddr, Ip("10.0.0.1")), Is(F.IpDaddr, Ip("10.0.0.2")), Accept), 7 },
        { R(Is(F.MetaNfproto, NftNfproto.Ipv4), Is(F.IpSaddr, Ip("10.0.0.1")), Accept), 5 },
        { R(Is(F.IcmpType, N(8)), Accept), 7 },
        { R(Is(F.MetaL4proto, Proto(1)), Is(F.IcmpType, N(8)), Accept), 5 },
        { R(Is(F.ThDport, Port(80)), Accept), 3 },
        { R(Is(F.ThDport, Ports(80, 90)), Accept), 4 },
        { R(new NftFib(NftFibFlags.Saddr | NftFibFlags.Iif, exists: false), Drop), 3 },
        { R(Is(F.IifName, If("cali*")), Not(F.Ip6Saddr, Ip("::")), new NftFib(NftFibFlags.Saddr | NftFibFlags.Iif, exists: false), Drop), 9 },
    };

    [Theory]
    [MemberData(nameof(Dependencies))]
    public void TryEncode_ImplicitDependencies_AddedOnceAsNftDoes(NftRule typed, int expressions) =>
        Assert.Equal(expressions, Encode(typed).Expressions.Count);

    public static TheoryData<NftRule, int, bool> AnonymousSets => new()
    {
        { R(Is(F.ThDport, Set(Port(80), Port(443))), Accept), 1, false },
        { R(Is(F.ThDport, Set(Port(80), Ports(443, 444))), Accept), 1, true },
        { R(Is(F.ThDport, Set(Port(80))), Accept), 0, false },
        { R(Is(F.IpSaddr, Set(Ip("10.0.0.0/8"))), Is(F.IpDaddr, Set(Ip("10.0.0.1"), Ip("10.0.0.0/8"))), Accept), 1, true },
        { R(Not([F.IcmpType, F.IcmpCode], Set(Cat(N(3), N(4)))), Accept), 1, false },
    };

    [Theory]
    [MemberData(nameof(AnonymousSets))]
    public void TryEncode_AnonymousSets_OnlyForMoreThanOneElementOrConcatenations(NftRule typed, int sets, bool interval)
    {
        NfTablesRule rule = Encode(typed);

        Assert.Equal(sets, rule.AnonymousSets.Count);
        if (sets > 0)
        {
            Assert.Equal(interval, rule.AnonymousSets[0].Interval);
        }
    }

    [Fact]
    public void TryEncode_IntervalSetElements_MergedWithLeadingZeroEnd()
    {
        NfTablesRule rule = Encode(R(Is(F.ThDport, Set(Ports(80, 90), Port(91), Port(100))), Accept));

        // 0 (end), 80, 92 (end), 100, 101 (end): as nft sends it.
        NfTablesAnonymousSet set = rule.AnonymousSets[0];
        Assert.Equal(
            ["0000 end", "0050", "005c end", "0064", "0065 end"],
            set.Elements.Select(e => Convert.ToHexStringLower(e.Key) + (e.IntervalEnd ? " end" : string.Empty)));
        Assert.Equal(5, set.DescSize);
    }

    [Fact]
    public void TryEncode_IntervalToTheTop_OpenWithoutEndElement()
    {
        NfTablesRule rule = Encode(R(Is(F.Ip6Saddr, Set(Ip("::/0"), Ip("fd00::1"))), Accept));

        NfTablesAnonymousSet.Element only = Assert.Single(rule.AnonymousSets[0].Elements);
        Assert.True(only.OpenInterval);
        Assert.False(only.IntervalEnd);
    }

    [Fact]
    public void TryEncode_IntervalConcatSet_ConvertsL4protoByteOrder()
    {
        NfTablesRule merged = Encode(R(Is([F.IpSaddr, F.MetaL4proto], At("calim4-x")), Drop));
        NfTablesRule plain = Encode(R(Is([F.IpSaddr, F.MetaL4proto], At("cali40n_x")), Drop));
        Assert.True(NfTablesRule.TryEncode(R(Is([F.IpSaddr, F.MetaL4proto], At("x")), Drop), _ => true, out NfTablesRule? told, out _));

        Assert.Contains(merged.Expressions, e => e.Name == "byteorder");
        Assert.DoesNotContain(plain.Expressions, e => e.Name == "byteorder");
        Assert.Contains(told!.Expressions, e => e.Name == "byteorder");
    }

    [Fact]
    public void TryEncode_Comment_KeptOutOfTheExpressions()
    {
        NfTablesRule rule = Encode(Commented("Return if policy accepted", Counter, Accept));

        Assert.Equal("Return if policy accepted", rule.Comment);
        Assert.Equal("counter accept comment \"Return if policy accepted\"", rule.Text);
        Assert.Equal(["counter", "immediate"], rule.Expressions.Select(e => e.Name));
    }

    [Fact]
    public void TryEncode_PayloadEqualitiesOfOneHeader_MergedAsNftMergesThem()
    {
        // th dport 2 th sport 1: one 4-byte load of sport+dport compared with 0001 0002.
        NfTablesRule rule = Encode(R(Is(F.ThDport, Port(2)), Is(F.ThSport, Port(1)), Accept));

        Assert.Equal(["payload", "cmp", "immediate"], rule.Expressions.Select(e => e.Name));
    }
}
