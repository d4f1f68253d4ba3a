using Calico.Felix.Dataplane.Nftables;
using Calico.Felix.Rules;
using Calico.Felix.Rules.Planning;
using Calico.Felix.Rules.Tests.Planning;
using Calico.Linux.Nft;

namespace Calico.Felix.Dataplane.Tests.Nftables;

/// <summary>The netlink sink: which plans it encodes, and the reason it gives when only <c>nft -f</c> can apply one.</summary>
[Trait("Tier", "Unit")]
public sealed class NftNetlinkSinkTests
{
    private static NftSet Set(string name, params string[] elements) => TestNft.Set(name, elements);

    private static NftChain Chain(string name, params string[] rules) => TestNft.Chain(name, rules);

    private static readonly NftSet Map = TestNft.Map("cali-to-wl", "\"cali1\" : goto cali-a");

    private static NftTable Table(IEnumerable<NftSet> sets, IEnumerable<NftChain> chains, IEnumerable<NftSet>? maps = null, NftHook hook = NftHook.Forward) =>
        new(sets, maps ?? [Map], [TestNft.Chain("filter-FORWARD", new NftChainHeader(NftChainType.Filter, hook, NftPriority.Filter.Plus(-5)), "counter jump cali-a"), .. chains]);

    private static NfTablesTransaction? Build(NftTable? before, NftTable after, out string? reason) =>
        NftNetlinkSink.TryBuild(NftPlanner.Plan(before, after), new RuleEncoding(), out reason);

    [Fact]
    public void TryBuild_RenderedFirstApply_EncodesEveryStep()
    {
        NfTablesTransaction? transaction = Build(null, TestTables.Build(3, ["10.0.0.1/32", "10.1.0.0/16"]), out string? reason);

        Assert.True(transaction is not null, reason);
        Assert.True(transaction.Count > 10);
    }

    [Theory]
    [InlineData("set redeclared")]
    [InlineData("map added")]
    [InlineData("base chain hook changed")]
    [InlineData("members")]
    public void TryBuild_ChangesOnceLeftToNft_NowGoOverNetlink(string change)
    {
        NftTable before = Table([Set("s", "10.0.0.1")], [Chain("cali-a", "ip saddr @s counter accept")]);
        NftTable after = change switch
        {
            "set redeclared" => Table([TestNft.Set("s", interval: false, "10.0.0.1")], [Chain("cali-a", "ip saddr @s counter accept")]),
            "map added" => Table([Set("s", "10.0.0.1")], [Chain("cali-a", "ip saddr @s counter accept")], [Map, TestNft.Map("cali-from-wl", "\"cali1\" : goto cali-a")]),
            "base chain hook changed" => Table([Set("s", "10.0.0.1")], [Chain("cali-a", "ip saddr @s counter accept")], hook: NftHook.Input),
            _ => Table([Set("s", "10.0.0.2")], [Chain("cali-a", "ip saddr @s counter accept")]),
        };

        Assert.True(Build(before, after, out string? reason) is not null, reason);
    }

    [Theory]
    [InlineData("rule", "log prefix")]
    [InlineData("set", "declaration the netlink codec does not encode")]
    [InlineData("map", "not an ifname : verdict map")]
    public void TryBuild_WhatNetlinkDoesNotEncode_FallsBackWithTheReason(string change, string expected)
    {
        NftTable before = Table([Set("s")], [Chain("cali-a", "counter accept")]);
        NftTable after = change switch
        {
            // The kernel keeps at most 127 bytes of a log prefix: the encoder refuses, nft -f reports the error.
            "rule" => Table([Set("s")], [new NftChain("cali-a", null, null, [new NftRule([new NftLog(new string('x', 200)), NftVerdict.Accept])])]),
            "set" => Table([Set("s"), new NftSet("t", NftSetType.Of(NftDataType.Ifname), null, [])], [Chain("cali-a", "counter accept")]),
            _ => Table([Set("s")], [Chain("cali-a", "counter accept")], [Map, new NftSet("m2", new NftSetType([NftDataType.Ipv4Addr], mapValue: NftDataType.Verdict), null, [])]),
        };

        Assert.Null(Build(before, after, out string? reason));
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NftSetKind.Ipv4Prefix, true, NftDataType.Ipv4Addr)]
    [InlineData(NftSetKind.Ipv6PortConcat, false, NftDataType.Ipv6Addr, NftDataType.InetProto, NftDataType.InetService)]
    [InlineData(NftSetKind.Ipv4Addr, false, NftDataType.Ipv4Addr)]
    [InlineData(NftSetKind.Ipv4ProtoPortInterval, true, NftDataType.Ipv4Addr, NftDataType.InetProto, NftDataType.InetService)]
    public void KindOf_OurDeclarations(NftSetKind kind, bool interval, params NftDataType[] key) =>
        Assert.Equal(kind, NftNetlinkSink.KindOf(new NftSetType([.. key], interval)));

    [Fact]
    public void KindOf_UnknownDeclaration_IsNull() =>
        Assert.Null(NftNetlinkSink.KindOf(NftSetType.Of(NftDataType.InetService, interval: true)));
}
