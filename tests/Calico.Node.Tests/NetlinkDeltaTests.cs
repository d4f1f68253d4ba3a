using Calico.Felix.Rules;
using Calico.Linux.Nft;
using Calico.Node.Dataplane;

namespace Calico.Node.Tests;

[Trait("Tier", "Unit")]
public sealed class NetlinkDeltaTests
{
    private const string BaseHeader = "type filter hook forward priority filter; policy accept;";

    private static NftSet Set(string name, params string[] elements) => new(name, isMap: false, null, ["type ipv4_addr;", "flags interval;"], elements);

    private static NftChain Chain(string name, params string[] rules) => new(name, null, null, rules);

    private static NftTable Table(IEnumerable<NftSet> sets, IEnumerable<NftChain> chains, IEnumerable<NftSet>? maps = null) =>
        new(sets, maps ?? [], [new NftChain("cali-FORWARD", BaseHeader, null, ["counter jump cali-a"]), .. chains]);

    private static NetlinkDelta Compute(NftTable previous, NftTable next)
    {
        NetlinkDelta? delta = NetlinkDelta.TryCompute(previous, next, new Dictionary<string, NftRule>(StringComparer.Ordinal), out string? reason);
        Assert.True(delta is not null, reason);
        return delta;
    }

    private static string Describe(NetlinkDelta delta) =>
        string.Join(" | ", delta.Steps.Select(s => s.Kind + " " + s.Name + (s.Rule is null ? "" : ": " + s.Rule.Text)
            + (s.MapChanges is null ? "" : ": " + string.Join(", ", s.MapChanges.Select(c => (c.Add ? "+" : "-") + c.Key + (c.Verdict is null ? "" : " " + c.Verdict))))));

    [Fact]
    public void A_changed_chain_is_flushed_and_refilled_in_rule_order()
    {
        var before = Table([Set("s")], [Chain("cali-a", "counter accept")]);
        var after = Table([Set("s")], [Chain("cali-a", "ip saddr @s counter drop", "counter accept")]);

        Assert.Equal("Flush cali-a | Rule cali-a: ip saddr @s counter drop | Rule cali-a: counter accept", Describe(Compute(before, after)));
    }

    [Fact]
    public void New_chains_exist_before_any_rule_and_removed_chains_go_last_emptied_first()
    {
        var before = Table([], [Chain("cali-a", "counter jump cali-old"), Chain("cali-old", "counter jump cali-old2"), Chain("cali-old2", "counter drop")]);
        var after = Table([], [Chain("cali-a", "counter jump cali-new"), Chain("cali-new", "counter drop")]);

        Assert.Equal(
            "Flush cali-a | Add cali-new | Rule cali-a: counter jump cali-new | Rule cali-new: counter drop | Flush cali-old | Flush cali-old2 | Delete cali-old | Delete cali-old2",
            Describe(Compute(before, after)));
    }

    [Fact]
    public void Set_members_travel_in_the_same_delta_deletes_first()
    {
        var before = Table([Set("s", "10.0.0.1"), Set("t", "10.0.1.0/24")], [Chain("cali-a", "counter accept")]);
        var after = Table([Set("s", "10.0.0.2"), Set("t")], [Chain("cali-a", "counter drop")]);

        NetlinkDelta delta = Compute(before, after);

        Assert.Equal(
            ["- s 10.0.0.1", "- t 10.0.1.0/24", "+ s 10.0.0.2"],
            delta.Elements.Select(e => (e.Add ? "+ " : "- ") + e.Set + " " + e.Element));
        Assert.Equal("Flush cali-a | Rule cali-a: counter drop", Describe(delta));
    }

    [Fact]
    public void Unchanged_tables_give_an_empty_delta()
    {
        var table = Table([Set("s", "10.0.0.1")], [Chain("cali-a", "counter accept")]);
        NetlinkDelta delta = Compute(table, Table([Set("s", "10.0.0.1")], [Chain("cali-a", "counter accept")]));
        Assert.Empty(delta.Steps);
        Assert.Empty(delta.Elements);
    }

    [Fact]
    public void A_new_set_is_declared_and_filled_before_the_rule_naming_it_and_a_dropped_one_goes_last()
    {
        var before = Table([Set("old", "10.0.0.1")], [Chain("cali-a", "ip saddr @old counter accept")]);
        var after = Table([Set("new", "10.0.0.2", "10.0.1.0/24")], [Chain("cali-a", "ip saddr @new counter accept")]);

        NetlinkDelta delta = Compute(before, after);

        Assert.Equal([("new", NftSetKind.Ipv4Prefix)], delta.NewSets);
        Assert.Equal(["+ new 10.0.0.2", "+ new 10.0.1.0/24"], delta.Elements.Select(e => (e.Add ? "+ " : "- ") + e.Set + " " + e.Element));
        Assert.Equal("Flush cali-a | Rule cali-a: ip saddr @new counter accept", Describe(delta));
        Assert.Equal(["old"], delta.RemovedSets);
    }

    [Fact]
    public void Dispatch_map_entries_change_by_interface_after_new_chains_and_before_removed_ones_go()
    {
        NftSet Map(params string[] elements) => new("cali-to-wl", isMap: true, null, ["type ifname : verdict"], elements);
        var before = Table([], [Chain("cali-a", "counter accept"), Chain("cali-tw-one", "counter drop")], [Map("\"cali1\" : goto cali-tw-one")]);
        var after = Table([], [Chain("cali-a", "counter accept"), Chain("cali-tw-two", "counter drop")], [Map("\"cali2\" : goto cali-tw-two")]);

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
        var map = new NftSet("cali-to-wl", isMap: true, null, ["type ifname : verdict;"], ["\"cali1\" : goto cali-a"]);
        var before = Table([Set("s")], [Chain("cali-a", "counter accept")], [map]);
        NftTable after = change switch
        {
            "set" => Table([new NftSet("s", isMap: false, null, ["type ipv4_addr;"], [])], [Chain("cali-a", "counter accept")], [map]),
            "map" => Table([Set("s")], [Chain("cali-a", "counter accept")], [map, new NftSet("cali-from-wl", isMap: true, null, ["type ifname : verdict;"], [])]),
            "base" => new NftTable([Set("s")], [map], [new NftChain("cali-FORWARD", "type filter hook input priority filter; policy accept;", null, ["counter jump cali-a"]), Chain("cali-a", "counter accept")]),
            _ => Table([Set("s")], [Chain("cali-a", "frobnicate the packet")], [map]),
        };

        Assert.Null(NetlinkDelta.TryCompute(before, after, new Dictionary<string, NftRule>(StringComparer.Ordinal), out string? reason));
        Assert.False(string.IsNullOrEmpty(reason));
        if (change == "rule")
        {
            Assert.Contains("frobnicate the packet", reason, StringComparison.Ordinal);
        }
    }
}
