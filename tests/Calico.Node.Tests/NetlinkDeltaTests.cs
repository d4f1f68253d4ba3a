using Calico.Felix.Rules;
using Calico.Linux.Nft;
using Calico.Nftables;
using Calico.Node.Dataplane;

namespace Calico.Node.Tests;

public sealed class NetlinkDeltaTests
{
    private static readonly NftChainHeader BaseHeader = new(NftChainType.Filter, NftHook.Forward, NftPriority.Filter);

    private static readonly NftSetType DispatchMap = new([NftDataType.Ifname], mapValue: NftDataType.Verdict);

    private static NftSet Set(string name, params string[] elements) =>
        new(name, NftSetType.Of(NftDataType.Ipv4Addr, interval: true), null, elements.Select(e => new NftElement(NftPrefix.Parse(e))));

    private static NftChain Chain(string name, params NftRule[] rules) => new(name, null, null, rules);

    private static NftRule Counted(NftVerdict verdict) => new([NftCounter.Instance, verdict]);

    private static NftRule FromSet(string set, NftVerdict verdict) => new([new NftMatch(NftField.IpSaddr, new NftSetReference(set)), NftCounter.Instance, verdict]);

    private static NftRule Accept => Counted(NftVerdict.Accept);

    private static NftRule Drop => Counted(NftVerdict.Drop);

    private static NftElement Goto(string iface, string chain) => new(new NftInterfaceName(iface), NftVerdict.Goto(chain));

    private static NftTable Table(IEnumerable<NftSet> sets, IEnumerable<NftChain> chains, IEnumerable<NftSet>? maps = null) =>
        new(sets, maps ?? [], [new NftChain("cali-FORWARD", BaseHeader, null, [Counted(NftVerdict.Jump("cali-a"))]), .. chains]);

    private static NetlinkDelta Compute(NftTable previous, NftTable next)
    {
        NetlinkDelta? delta = NetlinkDelta.TryCompute(previous, next, new Dictionary<string, NfTablesRule>(StringComparer.Ordinal), out string? reason);
        Assert.True(delta is not null, reason);
        return delta;
    }

    private static string Describe(NetlinkDelta delta) =>
        string.Join(" | ", delta.Steps.Select(s => s.Kind + " " + s.Name + (s.Rule is null ? "" : ": " + s.Rule.Text)
            + (s.MapChanges is null ? "" : ": " + string.Join(", ", s.MapChanges.Select(c => (c.Add ? "+" : "-") + c.Key + (c.Verdict is null ? "" : " " + c.Verdict))))));

    [Fact]
    public void A_changed_chain_is_flushed_and_refilled_in_rule_order()
    {
        var before = Table([Set("s")], [Chain("cali-a", Accept)]);
        var after = Table([Set("s")], [Chain("cali-a", FromSet("s", NftVerdict.Drop), Accept)]);

        Assert.Equal("Flush cali-a | Rule cali-a: ip saddr @s counter drop | Rule cali-a: counter accept", Describe(Compute(before, after)));
    }

    [Fact]
    public void New_chains_exist_before_any_rule_and_removed_chains_go_last_emptied_first()
    {
        var before = Table([], [Chain("cali-a", Counted(NftVerdict.Jump("cali-old"))), Chain("cali-old", Counted(NftVerdict.Jump("cali-old2"))), Chain("cali-old2", Drop)]);
        var after = Table([], [Chain("cali-a", Counted(NftVerdict.Jump("cali-new"))), Chain("cali-new", Drop)]);

        Assert.Equal(
            "Flush cali-a | Add cali-new | Rule cali-a: counter jump cali-new | Rule cali-new: counter drop | Flush cali-old | Flush cali-old2 | Delete cali-old | Delete cali-old2",
            Describe(Compute(before, after)));
    }

    [Fact]
    public void Set_members_travel_in_the_same_delta_deletes_first()
    {
        var before = Table([Set("s", "10.0.0.1"), Set("t", "10.0.1.0/24")], [Chain("cali-a", Accept)]);
        var after = Table([Set("s", "10.0.0.2"), Set("t")], [Chain("cali-a", Drop)]);

        NetlinkDelta delta = Compute(before, after);

        Assert.Equal(
            ["- s 10.0.0.1", "- t 10.0.1.0/24", "+ s 10.0.0.2"],
            delta.Elements.Select(e => (e.Add ? "+ " : "- ") + e.Set + " " + e.Element));
        Assert.Equal("Flush cali-a | Rule cali-a: counter drop", Describe(delta));
    }

    [Fact]
    public void Unchanged_tables_give_an_empty_delta()
    {
        var table = Table([Set("s", "10.0.0.1")], [Chain("cali-a", Accept)]);
        NetlinkDelta delta = Compute(table, Table([Set("s", "10.0.0.1")], [Chain("cali-a", Accept)]));
        Assert.Empty(delta.Steps);
        Assert.Empty(delta.Elements);
    }

    [Fact]
    public void A_new_set_is_declared_and_filled_before_the_rule_naming_it_and_a_dropped_one_goes_last()
    {
        var before = Table([Set("old", "10.0.0.1")], [Chain("cali-a", FromSet("old", NftVerdict.Accept))]);
        var after = Table([Set("new", "10.0.0.2", "10.0.1.0/24")], [Chain("cali-a", FromSet("new", NftVerdict.Accept))]);

        NetlinkDelta delta = Compute(before, after);

        Assert.Equal([("new", NftSetKind.Ipv4Prefix)], delta.NewSets);
        Assert.Equal(["+ new 10.0.0.2", "+ new 10.0.1.0/24"], delta.Elements.Select(e => (e.Add ? "+ " : "- ") + e.Set + " " + e.Element));
        Assert.Equal("Flush cali-a | Rule cali-a: ip saddr @new counter accept", Describe(delta));
        Assert.Equal(["old"], delta.RemovedSets);
    }

    [Fact]
    public void Dispatch_map_entries_change_by_interface_after_new_chains_and_before_removed_ones_go()
    {
        NftSet Map(params NftElement[] elements) => new("cali-to-wl", DispatchMap, null, elements);
        var before = Table([], [Chain("cali-a", Accept), Chain("cali-tw-one", Drop)], [Map(Goto("cali1", "cali-tw-one"))]);
        var after = Table([], [Chain("cali-a", Accept), Chain("cali-tw-two", Drop)], [Map(Goto("cali2", "cali-tw-two"))]);

        Assert.Equal(
            "Add cali-tw-two | Rule cali-tw-two: counter drop | MapElements cali-to-wl: -cali1, +cali2 goto cali-tw-two | Flush cali-tw-one | Delete cali-tw-one",
            Describe(Compute(before, after)));
    }

    [Theory]
    [InlineData("set")]
    [InlineData("map")]
    [InlineData("base")]
    [InlineData("rule")]
    public void What_netlink_does_not_encode_falls_back_to_nft_with_a_reason(string change)
    {
        var map = new NftSet("cali-to-wl", DispatchMap, null, [Goto("cali1", "cali-a")]);
        // A log prefix longer than the kernel's 127 characters: a rule netlink does not encode.
        var refused = new NftRule([new NftLog(new string('x', 200))]);
        var before = Table([Set("s")], [Chain("cali-a", Accept)], [map]);
        NftTable after = change switch
        {
            "set" => Table([new NftSet("s", NftSetType.Of(NftDataType.Ipv4Addr), null, [])], [Chain("cali-a", Accept)], [map]),
            "map" => Table([Set("s")], [Chain("cali-a", Accept)], [map, new NftSet("cali-from-wl", DispatchMap, null, [])]),
            "base" => new NftTable([Set("s")], [map], [new NftChain("cali-FORWARD", new NftChainHeader(NftChainType.Filter, NftHook.Input, NftPriority.Filter), null, [Counted(NftVerdict.Jump("cali-a"))]), Chain("cali-a", Accept)]),
            _ => Table([Set("s")], [Chain("cali-a", refused)], [map]),
        };

        Assert.Null(NetlinkDelta.TryCompute(before, after, new Dictionary<string, NfTablesRule>(StringComparer.Ordinal), out string? reason));
        Assert.False(string.IsNullOrEmpty(reason));
        if (change == "rule")
        {
            Assert.Contains("log prefix", reason, StringComparison.Ordinal);
        }
    }
}
