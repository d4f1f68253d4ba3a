using Calico.Felix.Rules.Planning;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

[Trait("Tier", "Unit")]
public sealed class NftPlannerTests
{
    private static readonly RenderConfig Config = new();

    [Fact]
    public void Between_NoPrevious_IsFullTransaction()
    {
        NftTable next = NftablesRenderer.Build(GoldenCases.TiersAndRules(), Config, NatInputs.None);

        Assert.Equal(next.ToFullTransaction(), Delta(null, next));
    }

    [Fact]
    public void Between_EqualStates_IsEmpty()
    {
        NftTable a = NftablesRenderer.Build(GoldenCases.TiersAndRules(), Config, NatInputs.None);
        NftTable b = NftablesRenderer.Build(StateBuilder.Clone(GoldenCases.TiersAndRules()), Config, NatInputs.None);

        Assert.Equal(string.Empty, Delta(a, b));
    }

    [Fact]
    public void Between_OneMemberAdded_IsOneElementAdd()
    {
        DataplaneState state = GoldenCases.TiersAndRules();
        NftTable a = NftablesRenderer.Build(state, Config, NatInputs.None);
        NftTable b = NftablesRenderer.Build(StateBuilder.With(state, new IpSetDeltaUpdate(GoldenCases.NetSet, ["10.7.0.1/32"], [])), Config, NatInputs.None);

        Assert.Equal("add element inet calico cali40s_web-pods { 10.7.0.1 }\n", Delta(a, b));
    }

    [Fact]
    public void Between_EndpointRemoved_MapElementsGoBeforeChainDeletes()
    {
        DataplaneState state = GoldenCases.TiersAndRules();
        NftTable a = NftablesRenderer.Build(state, Config, NatInputs.None);
        NftTable b = NftablesRenderer.Build(StateBuilder.With(state, new EndpointRemove(new EndpointKey(false, "prod", "node1-k8s-db-eth0"))), Config, NatInputs.None);

        Assert.Equal(
            "delete element inet calico cali-from-wl-dispatch { \"calidb\" }\n"
            + "delete element inet calico cali-to-wl-dispatch { \"calidb\" }\n"
            + "flush chain inet calico cali-fw-calidb\n"
            + "flush chain inet calico cali-tw-calidb\n"
            + "delete chain inet calico cali-fw-calidb\n"
            + "delete chain inet calico cali-tw-calidb\n",
            Delta(a, b));
    }

    [Fact]
    public void Between_EndpointAdded_ChainBeforeRulesBeforeMapElements()
    {
        DataplaneState state = GoldenCases.ProfileOnly();
        NftTable a = NftablesRenderer.Build(state, Config, NatInputs.None);
        var added = new EndpointIntent(new EndpointKey(false, "prod", "w2"), "cali99", [], [], [], ["kns.prod"]);
        string delta = Delta(a, NftablesRenderer.Build(StateBuilder.With(state, new EndpointUpdate(added)), Config, NatInputs.None));

        int addChain = delta.IndexOf("add chain inet calico cali-fw-cali99\n", StringComparison.Ordinal);
        int addRule = delta.IndexOf("add rule inet calico cali-fw-cali99 ", StringComparison.Ordinal);
        int addElement = delta.IndexOf("add element inet calico cali-from-wl-dispatch { \"cali99\" : goto cali-fw-cali99 }", StringComparison.Ordinal);
        Assert.True(addChain >= 0 && addChain < addRule && addRule < addElement, delta);
        Assert.DoesNotContain("flush", delta, StringComparison.Ordinal);
    }

    [Fact]
    public void Between_FirstMasqueradePool_AddsBaseChainWithHeader()
    {
        NftTable a = NftablesRenderer.Build(new DataplaneState(), Config, NatInputs.None);
        NftTable b = NftablesRenderer.Build(new DataplaneState(), Config, new NatInputs([], ["10.244.0.0/16"]));

        Assert.Contains("add chain inet calico nat-POSTROUTING { type nat hook postrouting priority srcnat + 10; policy accept; }\n", Delta(a, b), StringComparison.Ordinal);
    }

    [Fact]
    public void Between_SetRedeclared_FlushesUsersBeforeDeleting()
    {
        var scenario = DeltaScenarios.All().Single(s => s.Name == "set redeclared with another type");
        string delta = Delta(NftablesRenderer.Build(scenario.A, Config, scenario.NatA), NftablesRenderer.Build(scenario.B, Config, scenario.NatB));

        int flush = delta.IndexOf("flush chain inet calico " + NftablesRenderer.PolicyChainName(GoldenCases.WebPolicy, inbound: true), StringComparison.Ordinal);
        int delete = delta.IndexOf("delete set inet calico cali40s_x\n", StringComparison.Ordinal);
        int add = delta.IndexOf("add set inet calico cali40s_x { type ipv4_addr . inet_proto . inet_service; }", StringComparison.Ordinal);
        Assert.True(flush >= 0 && flush < delete && delete < add, delta);
    }

    [Fact]
    public void Between_MergedRunSetMembersChange_IsElementsOnly()
    {
        DataplaneState a = MergedRuns.State();
        DataplaneState b = StateBuilder.With(a, new IpSetDeltaUpdate(MergedRuns.WebSet, ["10.0.0.3/32"], ["10.0.0.1/32"]));

        string delta = Delta(NftablesRenderer.Build(a, new RenderConfig(), NatInputs.None), NftablesRenderer.Build(b, new RenderConfig(), NatInputs.None));

        Assert.DoesNotContain("chain", delta, StringComparison.Ordinal);
        Assert.Contains("delete element inet calico cali40s_web { 10.0.0.1 }\n", delta, StringComparison.Ordinal);
        Assert.Contains(" { 10.0.0.1 . 6 . 8000-8100 }\n", delta, StringComparison.Ordinal);
        Assert.Contains(" { 10.0.0.3 . 6 . 8000-8100 }\n", delta, StringComparison.Ordinal);
    }

    private static string Delta(NftTable? previous, NftTable next) => NftScript.From(NftPlanner.Plan(previous, next));
}
