using System.Net;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Bpf;
using Calico.Felix.Rules;

namespace Calico.Felix.Dataplane.Tests.Bpf;

/// <summary>
/// Which fast-path prefixes may be written before the table: a prefix the fast paths gain only once a table that
/// untracks it is in force, one they lose (or an exclusion they gain) at once.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class BpfFastPathPoolsTests
{
    private static readonly IPNetwork Pool = IPNetwork.Parse("10.65.0.0/16");
    private static readonly IPNetwork Other = IPNetwork.Parse("10.66.0.0/16");
    private static readonly IPNetwork Floating = IPNetwork.Parse("10.65.9.9/32");

    [Fact]
    public void EnteringBpfMode_NoPoolIsGivenBeforeTheTableUntracksIt()
    {
        var next = new Dictionary<IPNetwork, bool> { [Pool] = true, [Floating] = false };
        var before = BpfFastPathPools.BeforeTable(null, next);
        Assert.Equal(new Dictionary<IPNetwork, bool> { [Floating] = false }, before);
    }

    [Fact]
    public void APoolKeptStays_ANewOneWaits_AndALostOneGoesAtOnce()
    {
        var applied = new Dictionary<IPNetwork, bool> { [Pool] = true };
        Assert.Equal(new Dictionary<IPNetwork, bool> { [Pool] = true },
            BpfFastPathPools.BeforeTable(applied, new Dictionary<IPNetwork, bool> { [Pool] = true, [Other] = true }));

        // A host endpoint appears: the next table tracks everything again, so the fast paths stop first.
        Assert.Empty(BpfFastPathPools.BeforeTable(applied, new Dictionary<IPNetwork, bool>()));
    }

    [Fact]
    public void AnExclusion_IsGainedAtOnce_AndLostOnlyAfterTheTable()
    {
        var applied = new Dictionary<IPNetwork, bool> { [Pool] = true };
        var withFloating = new Dictionary<IPNetwork, bool> { [Pool] = true, [Floating] = false };
        Assert.Equal(withFloating, BpfFastPathPools.BeforeTable(applied, withFloating));

        // The floating IP goes: until the table untracks its address, it stays excluded.
        Assert.Equal(withFloating, BpfFastPathPools.BeforeTable(withFloating, applied));
    }

    /// <summary>
    /// Host endpoints that police only the host (normal policy, a profile) keep the fast paths; one with applyOnForward,
    /// preDNAT or doNotTrack policy turns them off, as it keeps pod traffic tracked in the table.
    /// </summary>
    [Fact]
    public void HostEndpoints_TurnTheFastPathsOff_OnlyWhenTheirPolicyReachesForwardedTraffic()
    {
        var render = new RenderConfig { WorkloadPolicyInBpf = true };
        var deny = new PolicyKey("default", "GlobalNetworkPolicy", null, "deny");
        var tier = new TierIntent("default", RuleAction.Deny, [deny], [deny]);
        var state = new DataplaneState();
        state.Apply(new ActivePolicyUpdate(deny, new PolicyIntent([new RuleModel { Action = RuleAction.Deny }], [])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(true, null, "h-eth0"), "eth0", [], [], [tier], [])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(true, null, "h-all"), "*", [], [], [], ["projectcalico-default-allow"])));
        Assert.Equal(new Dictionary<IPNetwork, bool> { [Pool] = true }, BpfFastPathPools.Of(state, render, ["10.65.0.0/16"]));

        foreach (Func<EndpointIntent, EndpointIntent> reaching in new Func<EndpointIntent, EndpointIntent>[]
        {
            e => e with { ForwardTiers = [tier] },
            e => e with { PreDnatTiers = [tier] },
            e => e with { UntrackedTiers = [tier] },
        })
        {
            DataplaneState forwarded = new();
            forwarded.Apply(new ActivePolicyUpdate(deny, new PolicyIntent([new RuleModel { Action = RuleAction.Deny }], [])));
            forwarded.Apply(new EndpointUpdate(reaching(new EndpointIntent(new EndpointKey(true, null, "h-eth0"), "eth0", [], [], [], []))));
            Assert.Empty(BpfFastPathPools.Of(forwarded, render, ["10.65.0.0/16"]));
        }
    }
}
