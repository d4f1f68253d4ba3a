using Calico.Felix.Dataplane.Nftables;
using Calico.Felix.Rules;
using Calico.Felix.Rules.Planning;
using Calico.Linux.Nft;

namespace Calico.Felix.Dataplane.Tests.Nftables;

/// <summary>The netlink sink: which plans it encodes, and the reason it gives when only <c>nft -f</c> can apply one.</summary>
[Trait("Tier", "Unit")]
public sealed class NftNetlinkSinkTests
{
    private static NftSet Set(string name, params string[] elements) => new(name, isMap: false, null, ["type ipv4_addr;", "flags interval;"], elements);

    private static NftChain Chain(string name, params string[] rules) => new(name, null, null, rules);

    private static readonly NftSet Map = new("cali-to-wl", isMap: true, null, ["type ifname : verdict;"], ["\"cali1\" : goto cali-a"]);

    private static NftTable Table(IEnumerable<NftSet> sets, IEnumerable<NftChain> chains, IEnumerable<NftSet>? maps = null, string hook = "forward") =>
        new(sets, maps ?? [Map], [new NftChain("filter-FORWARD", $"type filter hook {hook} priority filter - 5; policy accept;", null, ["counter jump cali-a"]), .. chains]);

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
            "set redeclared" => Table([new NftSet("s", isMap: false, null, ["type ipv4_addr;"], ["10.0.0.1"])], [Chain("cali-a", "ip saddr @s counter accept")]),
            "map added" => Table([Set("s", "10.0.0.1")], [Chain("cali-a", "ip saddr @s counter accept")], [Map, new NftSet("cali-from-wl", isMap: true, null, ["type ifname : verdict;"], ["\"cali1\" : goto cali-a"])]),
            "base chain hook changed" => Table([Set("s", "10.0.0.1")], [Chain("cali-a", "ip saddr @s counter accept")], hook: "input"),
            _ => Table([Set("s", "10.0.0.2")], [Chain("cali-a", "ip saddr @s counter accept")]),
        };

        Assert.True(Build(before, after, out string? reason) is not null, reason);
    }

    [Theory]
    [InlineData("rule", "frobnicate the packet")]
    [InlineData("set", "declaration the netlink codec does not encode")]
    [InlineData("map", "not an ifname : verdict map")]
    [InlineData("base", "header not encoded")]
    public void TryBuild_WhatNetlinkDoesNotEncode_FallsBackWithTheReason(string change, string expected)
    {
        NftTable before = Table([Set("s")], [Chain("cali-a", "counter accept")]);
        NftTable after = change switch
        {
            "rule" => Table([Set("s")], [Chain("cali-a", "frobnicate the packet")]),
            "set" => Table([Set("s"), new NftSet("t", isMap: false, null, ["type ipv4_addr", "flags interval,timeout"], [])], [Chain("cali-a", "counter accept")]),
            "map" => Table([Set("s")], [Chain("cali-a", "counter accept")], [Map, new NftSet("m2", isMap: true, null, ["type ipv4_addr : verdict"], [])]),
            _ => new NftTable([Set("s")], [Map], [new NftChain("filter-FORWARD", "type filter hook forward priority filter - 5; policy accept;", null, ["counter jump cali-a"]), Chain("cali-a", "counter accept"), new NftChain("odd", "type filter hook ingress device eth0 priority 0;", null, [])]),
        };

        Assert.Null(Build(before, after, out string? reason));
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("type ipv4_addr|flags interval", NftSetKind.Ipv4Prefix)]
    [InlineData("type ipv6_addr . inet_proto . inet_service", NftSetKind.Ipv6PortConcat)]
    [InlineData("type ipv4_addr", NftSetKind.Ipv4Addr)]
    [InlineData("type ipv4_addr . inet_proto . inet_service|flags interval", NftSetKind.Ipv4ProtoPortInterval)]
    public void KindOf_OurDeclarations(string declaration, NftSetKind kind) =>
        Assert.Equal(kind, NftNetlinkSink.KindOf(declaration.Split('|')));

    [Fact]
    public void KindOf_UnknownDeclaration_IsNull() =>
        Assert.Null(NftNetlinkSink.KindOf(["type ipv4_addr", "flags interval,timeout"]));

    [Theory]
    [InlineData("\"cali1\" : goto cali-tw-x", false, "cali1", "goto cali-tw-x")]
    [InlineData("\"cali1\"", true, "cali1", null)]
    public void ParseMapElement_KeyAndVerdict(string element, bool keyOnly, string key, string? verdict) =>
        Assert.Equal((key, verdict), NftNetlinkSink.ParseMapElement(element, keyOnly));

    [Theory]
    [InlineData("type filter hook forward priority filter - 5; policy accept;", "filter", "forward", -5, true)]
    [InlineData("type nat hook postrouting priority srcnat + 10; policy accept;", "nat", "postrouting", 110, true)]
    [InlineData("type filter hook prerouting priority raw; policy drop;", "filter", "prerouting", -300, false)]
    [InlineData("type filter hook input priority 7;", "filter", "input", 7, true)]
    public void BaseChainHeader_RenderedHeaders(string header, string type, string hook, int priority, bool accept) =>
        Assert.Equal(new BaseChainHeader(type, hook, priority, accept), BaseChainHeader.TryParse(header));
}
