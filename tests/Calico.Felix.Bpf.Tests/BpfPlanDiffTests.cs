using Calico.Felix.Calc.Model;
using static Calico.Felix.Bpf.Tests.States;

namespace Calico.Felix.Bpf.Tests;

[Trait("Tier", "Unit")]
public sealed class BpfPlanDiffTests
{
    private readonly BpfIdAllocator _tables = new();
    private readonly BpfIdAllocator _sets = new();

    private BpfPolicyPlan Compile(States s) => BpfPolicyCompiler.Compile(s.State, new BpfCompileOptions(), _tables, _sets);

    private static Dictionary<uint, BpfEndpointEntry> Resolve(BpfPolicyPlan plan) =>
        BpfPlanDiff.Resolve(plan, name => name switch { "cali1" => 11u, "cali2" => 12u, _ => null });

    private static string Describe(BpfMapOp op) => (op is BpfMapUpdate ? "update " : "delete ") + op.Map;

    [Fact]
    public void FromNothing_SetsThenTablesThenEndpoints_AndUnresolvedInterfacesWait()
    {
        var p = Policy("p");
        var s = new States().WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Allow, SrcNets = ["10.0.0.0/8", "10.1.0.0/16"] }])
            .WithEndpoint("a", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])])
            .WithEndpoint("c", "cali9", []);
        var plan = Compile(s);
        var ops = BpfPlanDiff.Between(null, new Dictionary<uint, BpfEndpointEntry>(), plan, Resolve(plan));
        // 2 members; ingress table (allow, end of tier, final drop) + egress table (final drop); one endpoint (cali9 has no ifindex).
        Assert.Equal(
            [.. Enumerable.Repeat("update cali_ipsets", 2), .. Enumerable.Repeat("update cali_rules", 4), "update cali_eps"],
            ops.Select(Describe));
    }

    [Fact]
    public void APolicyChange_WritesTheNewTable_FlipsTheEndpoint_ThenDeletesTheOldTable()
    {
        var p = Policy("p");
        var s = new States().WithIpSet("s:x", "10.1.2.3", "10.9.9.9")
            .WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = ["s:x"] }])
            .WithEndpoint("a", "cali1", [Tier("default", RuleAction.Deny, ingress: [p])]);
        var before = Compile(s);
        s.WithPolicy(p, ingress: [new RuleModel { Action = RuleAction.Deny, SrcIpSetIds = ["s:x"] }]);
        s.State.Apply(new IpSetDeltaUpdate("s:x", ["10.5.5.5"], ["10.9.9.9"]));
        var after = Compile(s);
        var ops = BpfPlanDiff.Between(before, Resolve(before), after, Resolve(after));
        Assert.Equal(
            ["delete cali_ipsets", "update cali_ipsets", .. Enumerable.Repeat("update cali_rules", 3), "update cali_eps", .. Enumerable.Repeat("delete cali_rules", 3)],
            ops.Select(Describe));
        var flip = Assert.IsType<BpfMapUpdate>(ops.Single(o => o.Map == BpfMapLayout.EndpointMap));
        Assert.Equal(BpfMapLayout.EndpointKey(11), flip.Key);
    }

    [Fact]
    public void NoChange_IsNoWrite_AndARemovedEndpointIsDeleted()
    {
        var s = new States().WithEndpoint("a", "cali1", []).WithEndpoint("b", "cali2", []);
        var before = Compile(s);
        Assert.Empty(BpfPlanDiff.Between(before, Resolve(before), Compile(s), Resolve(before)));

        s.State.Apply(new EndpointRemove(new EndpointKey(false, "ns", "b")));
        var after = Compile(s);
        var ops = BpfPlanDiff.Between(before, Resolve(before), after, Resolve(after));
        var delete = Assert.IsType<BpfMapDelete>(Assert.Single(ops));
        Assert.Equal(BpfMapLayout.EndpointKey(12), delete.Key);
    }
}
