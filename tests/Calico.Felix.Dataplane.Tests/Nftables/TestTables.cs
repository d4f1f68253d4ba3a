using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Dataplane.Tests.Nftables;

/// <summary>Rendered tables for the nftables manager tests: endpoints under one policy that names one IP set.</summary>
internal static class TestTables
{
    public static readonly PolicyKey Policy = new("default", "GlobalNetworkPolicy", null, "p");

    public static DataplaneState State(int endpoints, string[] members, RuleAction action = RuleAction.Allow, int port = 80)
    {
        var state = new DataplaneState();
        state.Apply(new IpSetUpdate("s:x", IpSetType.Net, members));
        state.Apply(new ActivePolicyUpdate(Policy, new PolicyIntent(
            [new RuleModel { Action = action, SrcIpSetIds = ["s:x"] }, new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new PortRange(port, port)] }],
            [new RuleModel { Action = RuleAction.Allow }])));
        for (int i = 0; i < endpoints; i++)
        {
            state.Apply(new EndpointUpdate(new EndpointIntent(
                new EndpointKey(false, "prod", $"w{i}"),
                $"cali{i:x8}"[..Math.Min(15, 4 + 8)],
                [$"10.65.{i / 250}.{(i % 250) + 1}/32"],
                [],
                [new TierIntent("default", RuleAction.Deny, [Policy], [Policy])],
                [])));
        }

        return state;
    }

    public static NftTable Build(int endpoints, string[] members, RuleAction action = RuleAction.Allow, int port = 80) =>
        NftablesRenderer.Build(State(endpoints, members, action, port), new RenderConfig(), NatInputs.None);
}
