using Calico.Felix.Calc.Model;
using static Calico.Reachability.Tests.StateBuilder;

namespace Calico.Reachability.Tests;

[Trait("Tier", "Unit")]
public sealed class PolicyEvaluatorTests
{
    private static Packet Tcp(string src, string dst, int port = 80) => Packet.Create(src, dst, Packet.Tcp, 40000, port);

    private static FlowVerdict Flow(StateBuilder b, Packet p) => new PolicyEvaluator(b.State).EvaluateFlow(p);

    [Fact]
    public void Evaluate_NoPolicies_ProfileAllowDecides()
    {
        var b = new StateBuilder().Profile("kns.x", AllowAll)
            .Endpoint("x", "a", "10.0.0.1", null, "kns.x").Endpoint("x", "b", "10.0.0.2", null, "kns.x");
        var v = Flow(b, Tcp("10.0.0.1", "10.0.0.2"));
        Assert.True(v.Allowed);
        Assert.Equal(DecisionSource.ProfileRule, v.Ingress!.Source);
        Assert.Equal("profile kns.x rule 0: Allow", v.Ingress.Reason);
        Assert.Equal(DecisionSource.ProfileRule, v.Egress!.Source);
    }

    [Fact]
    public void Evaluate_NoPoliciesNoProfiles_Drops()
    {
        var b = new StateBuilder().Endpoint("x", "a", "10.0.0.1").Endpoint("x", "b", "10.0.0.2");
        var v = Flow(b, Tcp("10.0.0.1", "10.0.0.2"));
        Assert.False(v.Allowed);
        Assert.Equal(DecisionSource.NoMatch, v.Ingress!.Source);
        Assert.Equal("no policy or profile allowed: drop", v.Ingress.Reason);
    }

    [Fact]
    public void Evaluate_MissingProfile_FailsClosed()
    {
        var b = new StateBuilder().Profile("kns.x", AllowAll).Endpoint("x", "a", "10.0.0.1", null, "gone", "kns.x");
        var v = Flow(b, Tcp("10.9.9.9", "10.0.0.1"));
        Assert.Null(v.Egress);
        Assert.False(v.Allowed);
        Assert.Equal(DecisionSource.ProfileMissing, v.Ingress!.Source);
        Assert.Equal("gone", v.Ingress.Profile);
    }

    [Fact]
    public void Evaluate_RuleMatchesIpSet_AllowsElseEndOfTierDenies()
    {
        var p = Np("x", "allow-b");
        var b = new StateBuilder().Profile("kns.x", AllowAll)
            .IpSet("s:b", "10.0.0.2/32")
            .Policy(p, inbound: [new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = ["s:b"] }])
            .Endpoint("x", "a", "10.0.0.1", [Tier("default", ingress: [p])], "kns.x")
            .Endpoint("x", "b", "10.0.0.2", null, "kns.x")
            .Endpoint("x", "c", "10.0.0.3", null, "kns.x");

        var allowed = Flow(b, Tcp("10.0.0.2", "10.0.0.1"));
        Assert.True(allowed.Allowed);
        Assert.Equal(DecisionSource.PolicyRule, allowed.Ingress!.Source);
        Assert.Equal(p, allowed.Ingress.Policy);
        Assert.Equal(0, allowed.Ingress.RuleIndex);
        Assert.Equal("tier default policy default/x/allow-b rule 0: Allow", allowed.Ingress.Reason);

        var denied = Flow(b, Tcp("10.0.0.3", "10.0.0.1"));
        Assert.False(denied.Allowed);
        Assert.Equal(Verdict.Allow, denied.Egress!.Verdict);
        Assert.Equal("end of tier default: default action Deny (no rule matched in default/x/allow-b)", denied.Ingress!.Reason);
    }

    [Fact]
    public void Evaluate_IngressOnlyPolicy_DoesNotIsolateEgress()
    {
        var p = Np("x", "deny-in");
        var b = new StateBuilder().Profile("kns.x", AllowAll)
            .Policy(p)
            .Endpoint("x", "a", "10.0.0.1", [Tier("default", ingress: [p])], "kns.x")
            .Endpoint("x", "b", "10.0.0.2", null, "kns.x");
        Assert.True(Flow(b, Tcp("10.0.0.1", "10.0.0.2")).Allowed);
        Assert.False(Flow(b, Tcp("10.0.0.2", "10.0.0.1")).Allowed);
    }

    [Fact]
    public void Evaluate_PassRule_SkipsToNextTierThenProfiles()
    {
        var pass = new PolicyKey("security", "GlobalNetworkPolicy", null, "pass");
        var never = new PolicyKey("security", "GlobalNetworkPolicy", null, "deny-after-pass");
        var b = new StateBuilder().Profile("kns.x", AllowAll)
            .Policy(pass, inbound: [new RuleModel { Action = RuleAction.Log }, new RuleModel { Action = RuleAction.Pass }])
            .Policy(never, inbound: [new RuleModel { Action = RuleAction.Deny }])
            .Endpoint("x", "a", "10.0.0.1", [Tier("security", ingress: [pass, never])], "kns.x");
        var v = Flow(b, Tcp("10.1.0.1", "10.0.0.1"));
        Assert.True(v.Allowed);
        Assert.Equal(DecisionSource.ProfileRule, v.Ingress!.Source);
        Assert.Equal(["security"], v.Ingress.PassedTiers);
    }

    [Fact]
    public void Evaluate_TierDefaultPass_FallsThroughToNextTier()
    {
        var a = new PolicyKey("first", "GlobalNetworkPolicy", null, "nothing");
        var d = new PolicyKey("second", "GlobalNetworkPolicy", null, "deny");
        var b = new StateBuilder().Profile("kns.x", AllowAll)
            .Policy(a, inbound: [new RuleModel { Action = RuleAction.Allow, Protocol = Packet.Udp }])
            .Policy(d, inbound: [new RuleModel { Action = RuleAction.Deny, Protocol = Packet.Tcp }])
            .Endpoint("x", "a", "10.0.0.1", [Tier("first", ingress: [a], defaultAction: RuleAction.Pass), Tier("second", ingress: [d])], "kns.x");
        var v = Flow(b, Tcp("10.1.0.1", "10.0.0.1"));
        Assert.False(v.Allowed);
        Assert.Equal("tier second policy second/deny rule 0: Deny", v.Ingress!.Reason);
        Assert.Equal(["first"], v.Ingress.PassedTiers);
    }

    [Fact]
    public void Evaluate_FirstPolicyInOrderWins()
    {
        var allow = Np("x", "allow", "default");
        var deny = new PolicyKey("default", "GlobalNetworkPolicy", null, "deny");
        var b = new StateBuilder().Profile("kns.x", AllowAll)
            .Policy(allow, inbound: [AllowAll])
            .Policy(deny, inbound: [new RuleModel { Action = RuleAction.Deny }])
            .Endpoint("x", "a", "10.0.0.1", [Tier("default", ingress: [allow, deny])], "kns.x")
            .Endpoint("x", "b", "10.0.0.2", [Tier("default", ingress: [deny, allow])], "kns.x");
        Assert.True(Flow(b, Tcp("10.1.0.1", "10.0.0.1")).Allowed);
        Assert.False(Flow(b, Tcp("10.1.0.1", "10.0.0.2")).Allowed);
    }

    [Fact]
    public void Evaluate_EgressDenyAtSource_DeniesFlowEvenWhenIngressAllows()
    {
        var p = Np("x", "no-egress");
        var b = new StateBuilder().Profile("kns.x", AllowAll)
            .Policy(p, outbound: [new RuleModel { Action = RuleAction.Deny, DstNets = ["10.0.0.2/32"] }, AllowAll])
            .Endpoint("x", "a", "10.0.0.1", [Tier("default", egress: [p])], "kns.x")
            .Endpoint("x", "b", "10.0.0.2", null, "kns.x")
            .Endpoint("x", "c", "10.0.0.3", null, "kns.x");
        var v = Flow(b, Tcp("10.0.0.1", "10.0.0.2"));
        Assert.False(v.Allowed);
        Assert.Equal(Verdict.Deny, v.Egress!.Verdict);
        Assert.Equal(Verdict.Allow, v.Ingress!.Verdict);
        var other = Flow(b, Tcp("10.0.0.1", "10.0.0.3"));
        Assert.True(other.Allowed);
        Assert.Equal(1, other.Egress!.RuleIndex);
    }

    [Fact]
    public void Evaluate_UnknownAddresses_AreNotFiltered()
    {
        var b = new StateBuilder().Endpoint("x", "a", "10.0.0.1");
        var v = Flow(b, Tcp("192.0.2.1", "192.0.2.2"));
        Assert.True(v.Allowed);
        Assert.Null(v.Egress);
        Assert.Null(v.Ingress);
    }

    [Fact]
    public void Evaluate_MissingPolicy_StillIsolates()
    {
        var p = Np("x", "gone");
        var b = new StateBuilder().Profile("kns.x", AllowAll).Endpoint("x", "a", "10.0.0.1", [Tier("default", ingress: [p])], "kns.x");
        Assert.Equal(DecisionSource.TierDefault, Flow(b, Tcp("10.1.0.1", "10.0.0.1")).Ingress!.Source);
    }
}
