using Calico.Felix.Rules.Planning;

namespace Calico.Felix.Rules.Tests.Planning;

/// <summary>The planner's step order for every kind of change, on small hand-made tables (one dump line per step).</summary>
[Trait("Tier", "Unit")]
public sealed class NftPlanStepOrderTests
{
    private const string BaseHeader = "type filter hook forward priority filter; policy accept;";

    private static NftSet Set(string name, params string[] elements) => TestNft.Set(name, elements);

    private static NftSet Map(string name, params string[] elements) => TestNft.Map(name, elements);

    private static NftChain Chain(string name, params string[] rules) => TestNft.Chain(name, rules);

    private static NftTable Table(IEnumerable<NftSet> sets, IEnumerable<NftChain> chains, IEnumerable<NftSet>? maps = null, NftChainHeader? header = null) =>
        new(sets, maps ?? [], [TestNft.Chain("filter-FORWARD", header ?? TestNft.ForwardFilter, "counter jump cali-a"), .. chains]);

    private static string[] Plan(NftTable? before, NftTable after) =>
        NftPlanner.Plan(before, after).Dump().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Plan_NoPrevious_ReplacesTableSetsThenChainsThenRulesThenMapElements()
    {
        var table = Table([Set("s", "10.0.0.1")], [Chain("cali-a", "ip saddr @s counter jump cali-b"), Chain("cali-b", "counter accept")], [Map("m", "\"cali1\" : goto cali-b")]);

        Assert.Equal(
            [
                "replace table calico",
                "add set s { type ipv4_addr; flags interval }",
                "add elements s (1): 10.0.0.1",
                "add map m { type ifname : verdict }",
                "add base chain filter-FORWARD { " + BaseHeader + " }",
                "add chain cali-a",
                "add chain cali-b",
                "add rule filter-FORWARD: counter jump cali-a",
                "add rule cali-a: ip saddr @s counter jump cali-b",
                "add rule cali-b: counter accept",
                "add elements m (1): \"cali1\" : goto cali-b",
            ],
            Plan(null, table));
        Assert.True(NftPlanner.Plan(null, table).IsFullReplacement);
    }

    [Fact]
    public void Plan_EqualTables_IsEmpty()
    {
        var table = Table([Set("s", "10.0.0.1")], [Chain("cali-a", "counter accept")]);

        Assert.True(NftPlanner.Plan(table, Table([Set("s", "10.0.0.1")], [Chain("cali-a", "counter accept")])).IsEmpty);
    }

    [Fact]
    public void Plan_ChangedChain_FlushedAndRefilledInRuleOrder()
    {
        var before = Table([Set("s")], [Chain("cali-a", "counter accept")]);
        var after = Table([Set("s")], [Chain("cali-a", "ip saddr @s counter drop", "counter accept")]);

        Assert.Equal(["flush chain cali-a", "add rule cali-a: ip saddr @s counter drop", "add rule cali-a: counter accept"], Plan(before, after));
    }

    [Fact]
    public void Plan_ReorderedRules_RefillTheChain()
    {
        var before = Table([], [Chain("cali-a", "counter drop", "counter accept")]);
        var after = Table([], [Chain("cali-a", "counter accept", "counter drop")]);

        Assert.Equal(["flush chain cali-a", "add rule cali-a: counter accept", "add rule cali-a: counter drop"], Plan(before, after));
    }

    [Fact]
    public void Plan_NewAndRemovedChains_NewDeclaredBeforeRulesRemovedEmptiedThenDeleted()
    {
        var before = Table([], [Chain("cali-a", "counter jump cali-old"), Chain("cali-old", "counter jump cali-old2"), Chain("cali-old2", "counter drop")]);
        var after = Table([], [Chain("cali-a", "counter jump cali-new"), Chain("cali-new", "counter drop")]);

        Assert.Equal(
            [
                "add chain cali-new",
                "flush chain cali-a",
                "add rule cali-a: counter jump cali-new",
                "add rule cali-new: counter drop",
                "flush chain cali-old",
                "flush chain cali-old2",
                "delete chain cali-old",
                "delete chain cali-old2",
            ],
            Plan(before, after));
    }

    [Fact]
    public void Plan_SetMembers_DeletesBeforeAdds()
    {
        var before = Table([Set("s", "10.0.0.1", "10.0.0.0/8")], [Chain("cali-a", "counter accept")]);
        var after = Table([Set("s", "10.0.0.2", "10.0.0.0/8")], [Chain("cali-a", "counter accept")]);

        Assert.Equal(["delete elements s (1): 10.0.0.1", "add elements s (1): 10.0.0.2"], Plan(before, after));
    }

    [Fact]
    public void Plan_NewSetDeclaredAndFilledBeforeTheRuleNamingIt_DroppedSetLast()
    {
        var before = Table([Set("old", "10.0.0.1")], [Chain("cali-a", "ip saddr @old counter accept")]);
        var after = Table([Set("new", "10.0.0.2", "10.0.1.0/24")], [Chain("cali-a", "ip saddr @new counter accept")]);

        Assert.Equal(
            [
                "add set new { type ipv4_addr; flags interval }",
                "add elements new (2): 10.0.0.2, 10.0.1.0/24",
                "flush chain cali-a",
                "add rule cali-a: ip saddr @new counter accept",
                "delete set old",
            ],
            Plan(before, after));
    }

    [Fact]
    public void Plan_SetRedeclared_UsersEmptiedThenDeletedAndDeclaredAgainThenRefilled()
    {
        var before = Table([Set("s", "10.0.0.1")], [Chain("cali-a", "ip saddr @s counter accept"), Chain("cali-b", "counter drop")]);
        var after = Table([TestNft.Set("s", interval: false, "10.0.0.1")], [Chain("cali-a", "ip saddr @s counter accept"), Chain("cali-b", "counter drop")]);

        Assert.Equal(
            [
                "flush chain cali-a",
                "delete set s",
                "add set s { type ipv4_addr }",
                "add elements s (1): 10.0.0.1",
                "add rule cali-a: ip saddr @s counter accept",
            ],
            Plan(before, after));
    }

    [Fact]
    public void Plan_DispatchMap_EntriesChangeAfterNewChainsAndBeforeRemovedOnesGo()
    {
        var before = Table([], [Chain("cali-a", "counter accept"), Chain("cali-tw-one", "counter drop")], [Map("m", "\"cali1\" : goto cali-tw-one", "\"cali3\" : goto cali-a")]);
        var after = Table([], [Chain("cali-a", "counter accept"), Chain("cali-tw-two", "counter drop")], [Map("m", "\"cali2\" : goto cali-tw-two", "\"cali3\" : goto cali-tw-two")]);

        Assert.Equal(
            [
                "add chain cali-tw-two",
                "add rule cali-tw-two: counter drop",
                "delete elements m (2): \"cali1\", \"cali3\"",
                "add elements m (2): \"cali2\" : goto cali-tw-two, \"cali3\" : goto cali-tw-two",
                "flush chain cali-tw-one",
                "delete chain cali-tw-one",
            ],
            Plan(before, after));
    }

    [Fact]
    public void Plan_MapAddedAndRemoved_NewDeclaredFirstFilledAfterChainsOldEmptiedThenDeleted()
    {
        var before = Table([], [Chain("cali-a", "counter accept")], [Map("old", "\"cali1\" : goto cali-a")]);
        var after = Table([], [Chain("cali-a", "counter accept")], [Map("new", "\"cali1\" : goto cali-a")]);

        Assert.Equal(
            [
                "add map new { type ifname : verdict }",
                "delete elements old (1): \"cali1\"",
                "add elements new (1): \"cali1\" : goto cali-a",
                "delete map old",
            ],
            Plan(before, after));
    }

    [Fact]
    public void Plan_BaseChainAdded_DeclaredWithItsHeader()
    {
        var before = Table([], [Chain("cali-a", "counter accept")]);
        var after = new NftTable([], [], [.. before.Chains, TestNft.Chain("nat-POSTROUTING", new NftChainHeader(NftChainType.Nat, NftHook.Postrouting, NftPriority.SrcNat.Plus(10)), "counter masquerade")]);

        Assert.Equal(
            ["add base chain nat-POSTROUTING { type nat hook postrouting priority srcnat + 10; policy accept; }", "add rule nat-POSTROUTING: counter masquerade"],
            Plan(before, after));
    }

    [Fact]
    public void Plan_BaseChainHookChanged_IsFullReplacementWithTheReason()
    {
        var before = Table([], [Chain("cali-a", "counter accept")]);
        var after = Table([], [Chain("cali-a", "counter accept")], header: new NftChainHeader(NftChainType.Filter, NftHook.Input, NftPriority.Filter));

        NftPlan plan = NftPlanner.Plan(before, after);

        Assert.True(plan.IsFullReplacement);
        Assert.Equal(NftStepKind.ReplaceTable, plan.Steps[0].Kind);
        Assert.Contains("filter-FORWARD", plan.FullReplacementReason, StringComparison.Ordinal);
    }
}
