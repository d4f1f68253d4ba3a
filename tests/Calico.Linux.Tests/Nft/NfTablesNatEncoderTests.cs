using System.Net;
using Calico.Linux.Nft;
using Calico.Nftables;
using static Calico.Linux.Tests.Nft.TypedRules;
using F = Calico.Nftables.NftField;

namespace Calico.Linux.Tests.Nft;

/// <summary>
/// The NAT statements' encoding, without the kernel: the expressions nft sends (the kernel oracle in
/// <see cref="NfTablesTransactionKernelTests"/> compares them with nft's own), and what nft would refuse.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class NfTablesNatEncoderTests
{
    public static TheoryData<NftRule, string[]> Expressions => new()
    {
        { R(NftNat.Snat(IPAddress.Parse("1.2.3.4"))), ["immediate", "nat"] },
        { R(Is(F.MetaL4proto, Proto(6)), NftNat.Dnat(IPAddress.Parse("10.0.0.5"), Port(8080))), ["meta", "cmp", "immediate", "immediate", "nat"] },
        { R(Is(F.MetaL4proto, Proto(6)), NftNat.Snat(IPAddress.Parse("fd00::1"), Ports(1024, 65535))), ["meta", "cmp", "immediate", "immediate", "immediate", "nat"] },
        { R(Is(F.MetaL4proto, Proto(17)), new NftMasquerade(Ports(1024, 65535), NftNatFlags.FullyRandom)), ["meta", "cmp", "immediate", "immediate", "masq"] },
        { R(Counter, new NftMasquerade(null, NftNatFlags.Persistent)), ["counter", "masq"] },
    };

    [Theory]
    [MemberData(nameof(Expressions))]
    public void TryEncode_Nat_ImmediatesThenTheNatExpression(NftRule typed, string[] names)
    {
        NfTablesRule rule = Encode(typed);

        Assert.Equal(names, rule.Expressions.Select(e => e.Name));
    }

    public static TheoryData<NftRule, string> Refused => new()
    {
        { R(NftNat.Snat(IPAddress.Parse("1.2.3.4"), Ports(1024, 65535))), "without a meta l4proto match" },
        { R(Is(F.ThDport, Port(80)), NftNat.Dnat(IPAddress.Parse("10.0.0.5"), Port(8080))), "without a meta l4proto match" },
        { R(new NftMasquerade(Port(80), NftNatFlags.None)), "without a meta l4proto match" },
        { R(Is(F.IpSaddr, Ip("10.0.0.1")), NftNat.Snat(IPAddress.Parse("fd00::1"))), "conflicts with the IPv4 match" },
        { R(Is(F.MetaNfproto, NftNfproto.Ipv6), NftNat.Dnat(IPAddress.Parse("10.0.0.5"))), "conflicts with the IPv6 match" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryEncode_WhatNftRefuses_RefusedWithReason(NftRule typed, string reasonPart)
    {
        Assert.False(NfTablesRule.TryEncode(typed, null, out NfTablesRule? rule, out string? reason));
        Assert.Null(rule);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }
}
