using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>Hand-written before/after pairs for delta tests, one per kind of change the agent will see.</summary>
internal static class DeltaScenarios
{
    private static readonly NatInputs Pools = new(["10.0.0.0/16", "10.2.0.0/16", "fd10::/64"], ["10.0.0.0/16"]);

    public static IEnumerable<(string Name, DataplaneState A, NatInputs NatA, DataplaneState B, NatInputs NatB)> All()
    {
        DataplaneState rich = GoldenCases.TiersAndRules();
        DataplaneState oneFewer = StateBuilder.With(rich, new EndpointRemove(new EndpointKey(false, "prod", "node1-k8s-web2-eth0")));
        yield return ("endpoint added", oneFewer, NatInputs.None, rich, NatInputs.None);
        yield return ("endpoint removed", rich, NatInputs.None, oneFewer, NatInputs.None);

        var extra = new PolicyKey("default", "NetworkPolicy", "prod", "extra");
        DataplaneState withExtra = StateBuilder.With(
            rich,
            new ActivePolicyUpdate(extra, new PolicyIntent([new RuleModel { Action = RuleAction.Deny, Protocol = 17 }], [])),
            new EndpointUpdate(rich.Endpoints[new EndpointKey(false, "prod", "node1-k8s-db-eth0")] with
            {
                Tiers = [new TierIntent("default", RuleAction.Deny, [extra], [])],
            }));
        yield return ("policy added", rich, NatInputs.None, withExtra, NatInputs.None);
        yield return ("policy removed", withExtra, NatInputs.None, rich, NatInputs.None);

        DataplaneState changedPolicy = StateBuilder.With(rich, new ActivePolicyUpdate(GoldenCases.AdminPolicy, new PolicyIntent(
            [new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(443, 443)] }],
            [new RuleModel { Action = RuleAction.Deny, DstNets = ["10.9.0.0/16"] }])));
        yield return ("policy changed", rich, NatInputs.None, changedPolicy, NatInputs.None);

        DataplaneState members = StateBuilder.With(rich, new IpSetDeltaUpdate(GoldenCases.NetSet, ["10.0.0.0/24", "10.3.0.0/16"], ["10.0.0.1/32", "fd00::1/128"]));
        yield return ("set members changed, one now covered", rich, NatInputs.None, members, NatInputs.None);
        yield return ("set members changed back", members, NatInputs.None, rich, NatInputs.None);

        DataplaneState reordered = Clone(rich, static e => e with { Tiers = [.. e.Tiers.Reverse()] });
        yield return ("tier order changed", rich, NatInputs.None, reordered, NatInputs.None);

        yield return ("NAT pools added", rich, NatInputs.None, rich, Pools);
        yield return ("NAT pools changed", rich, Pools, rich, new NatInputs(["10.0.0.0/16", "fd10::/64"], ["10.0.0.0/16", "fd10::/64"]));
        yield return ("NAT masquerade dropped", rich, Pools, rich, new NatInputs(["10.0.0.0/16"], []));
        yield return ("NAT pools removed", rich, Pools, rich, NatInputs.None);

        DataplaneState withHep = StateBuilder.With(rich, new EndpointUpdate(StateBuilder.HostEndpoint("eth0", [new TierIntent("default", RuleAction.Deny, [GoldenCases.WebPolicy], [])])));
        DataplaneState twoHeps = StateBuilder.With(withHep, new EndpointUpdate(StateBuilder.HostEndpoint("eth1", [], "kns.prod")));
        yield return ("first HEP added", rich, NatInputs.None, withHep, NatInputs.None);
        yield return ("second HEP added", withHep, NatInputs.None, twoHeps, NatInputs.None);
        yield return ("one HEP removed", twoHeps, NatInputs.None, withHep, NatInputs.None);
        yield return ("last HEP removed", withHep, NatInputs.None, rich, NatInputs.None);

        DataplaneState netTyped = StateBuilder.With(
            new DataplaneState(),
            new IpSetUpdate("s:x", IpSetType.Net, ["10.0.0.1/32"]),
            new ActivePolicyUpdate(GoldenCases.WebPolicy, new PolicyIntent([new RuleModel { Action = RuleAction.Allow, SrcIpSetIds = ["s:x"] }], [])));
        DataplaneState portTyped = StateBuilder.With(
            new DataplaneState(),
            new IpSetUpdate("s:x", IpSetType.IpPort, ["10.0.0.1,tcp:80"]),
            new ActivePolicyUpdate(GoldenCases.WebPolicy, new PolicyIntent([new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstNamedPortIpSetIds = ["s:x"] }], [])));
        yield return ("set redeclared with another type", netTyped, NatInputs.None, portTyped, NatInputs.None);

        DataplaneState runs = MergedRuns.State();
        DataplaneState runsMembers = StateBuilder.With(runs, new IpSetDeltaUpdate(MergedRuns.WebSet, ["10.0.0.3/32", "10.0.0.0/16", "fd00::2/128"], ["10.0.0.1/32"]));
        yield return ("merged run: set members changed, some now covered", runs, NatInputs.None, runsMembers, NatInputs.None);
        yield return ("merged run: set members changed back", runsMembers, NatInputs.None, runs, NatInputs.None);
        DataplaneState runsBroken = StateBuilder.With(runs, new ActivePolicyUpdate(MergedRuns.Key("default", "deny-lan"), new PolicyIntent(
            [new RuleModel { Action = RuleAction.Deny, SrcNets = ["192.168.0.0/16"], NotDstNets = ["10.0.0.0/8"] }], [])));
        yield return ("merged run: policy no longer simple", runs, NatInputs.None, runsBroken, NatInputs.None);
        yield return ("merged run: policy simple again", runsBroken, NatInputs.None, runs, NatInputs.None);
        yield return ("merged runs from unmerged policies", rich, NatInputs.None, runs, NatInputs.None);

        yield return ("everything removed", rich, Pools, new DataplaneState(), NatInputs.None);
        yield return ("everything added", new DataplaneState(), NatInputs.None, twoHeps, Pools);
    }

    private static DataplaneState Clone(DataplaneState source, Func<EndpointIntent, EndpointIntent> edit)
    {
        DataplaneState copy = StateBuilder.Clone(source);
        foreach (EndpointIntent endpoint in source.Endpoints.Values)
        {
            copy.Apply(new EndpointUpdate(edit(endpoint)));
        }

        return copy;
    }
}
