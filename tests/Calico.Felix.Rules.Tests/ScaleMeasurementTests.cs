using Calico.Felix.Rules.Planning;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Calico.Felix.Calc.Model;
using Xunit.Abstractions;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// Reports (does not assert) the cost of a full render and the size of a one-member delta at scale: 1,000 policies
/// and 10,000 set members. The only assertion is on the delta's content.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class ScaleMeasurementTests(ITestOutputHelper output)
{
    [Fact]
    public void Delta_OneMemberOfTenThousandChanges_IsOneLine()
    {
        DataplaneState state = Large();
        var config = new RenderConfig { MergeRuleRuns = false };
        var clock = Stopwatch.StartNew();
        NftTable before = NftablesRenderer.Build(state, config, NatInputs.None);
        string full = before.ToFullTransaction();
        TimeSpan fullTime = clock.Elapsed;

        state.Apply(new IpSetDeltaUpdate("s:set0", ["10.200.0.1/32"], ["10.0.0.1/32"]));
        clock.Restart();
        NftTable after = NftablesRenderer.Build(state, config, NatInputs.None);
        string delta = Delta(before, after);
        TimeSpan deltaTime = clock.Elapsed;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full render: {fullTime.TotalMilliseconds:F0} ms, {full.Length} chars; build + delta: {deltaTime.TotalMilliseconds:F0} ms, {delta.Length} chars"));
        Assert.Equal("delete element inet calico cali40s_set0 { 10.0.0.1 }\nadd element inet calico cali40s_set0 { 10.200.0.1 }\n", delta);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(10000)]
    public void MergeRuleRuns_ManyPoliciesOnOneEndpoint_ReportsRenderTimeAndPathLength(int policies)
    {
        DataplaneState state = OneServer(policies);
        foreach (bool merge in new[] { false, true })
        {
            var config = new RenderConfig { MergeRuleRuns = merge };
            var clock = Stopwatch.StartNew();
            NftTable table = NftablesRenderer.Build(state, config, NatInputs.None);
            string full = table.ToFullTransaction();
            TimeSpan renderTime = clock.Elapsed;
            int rules = table.Chains.Sum(c => c.Rules.Count);
            int path = table.Chains.Single(c => c.Name == "cali-tw-caliserver").Rules.Count;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{policies} policies, merge {merge}: render {renderTime.TotalMilliseconds:F0} ms, {full.Length} chars, {table.Chains.Count} chains, {rules} rules, {table.Sets.Count} sets, endpoint chain {path} rules"));
            if (merge)
            {
                Assert.True(path < 20, $"endpoint chain has {path} rules");
            }
        }
    }

    /// <summary>
    /// As the dataplane-packets benchmark: <paramref name="policies"/> ingress policies on one server endpoint whose
    /// rules (a selector set of 10 remote endpoints to one port, CIDRs to port lists) never match the client.
    /// </summary>
    private static DataplaneState OneServer(int policies)
    {
        var state = new DataplaneState();
        for (int g = 0; g < 100; g++)
        {
            var members = new List<string>(10);
            for (int e = 0; e < 10; e++)
            {
                members.Add(string.Create(CultureInfo.InvariantCulture, $"10.66.{g}.{e + 1}/32"));
            }

            state.Apply(new IpSetUpdate("s:svc" + g.ToString(CultureInfo.InvariantCulture), IpSetType.Net, members));
        }

        var keys = new List<PolicyKey>(policies);
        for (int i = 0; i < policies; i++)
        {
            var key = new PolicyKey("default", "GlobalNetworkPolicy", null, "bench-" + i.ToString("D5", CultureInfo.InvariantCulture));
            state.Apply(new ActivePolicyUpdate(key, new PolicyIntent(
                [
                    new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = ["s:svc" + (i % 100).ToString(CultureInfo.InvariantCulture)], DstPorts = [new PortRange(8000 + (i % 500), 8000 + (i % 500))] },
                    new RuleModel
                    {
                        Action = RuleAction.Allow,
                        Protocol = 6,
                        SrcNets = [string.Create(CultureInfo.InvariantCulture, $"192.168.{i % 256}.0/25"), string.Create(CultureInfo.InvariantCulture, $"100.64.{i / 256 % 256}.{i % 256}/32")],
                        DstPorts = [new PortRange(443, 443), new PortRange(9000, 9099)],
                        Index = 1,
                    },
                ],
                [])));
            keys.Add(key);
        }

        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "bench", "server"), "caliserver", ["10.65.0.2/32"], [], [new TierIntent("default", RuleAction.Deny, keys, [])], [])));
        return state;
    }

    /// <summary>1,000 policies (2 rules each, using 10 sets of 1,000 members), 200 endpoints each selected by 5 policies.</summary>
    private static DataplaneState Large()
    {
        var state = new DataplaneState();
        for (int s = 0; s < 10; s++)
        {
            var members = new List<string>(1000);
            for (int m = 0; m < 1000; m++)
            {
                members.Add(string.Create(CultureInfo.InvariantCulture, $"10.{s}.{m / 250}.{(m % 250) + 1}/32"));
            }

            state.Apply(new IpSetUpdate("s:set" + s.ToString(CultureInfo.InvariantCulture), IpSetType.Net, members));
        }

        var keys = new List<PolicyKey>(1000);
        for (int p = 0; p < 1000; p++)
        {
            var key = new PolicyKey("default", "NetworkPolicy", "ns" + (p % 20).ToString(CultureInfo.InvariantCulture), "policy" + p.ToString(CultureInfo.InvariantCulture));
            string set = "s:set" + (p % 10).ToString(CultureInfo.InvariantCulture);
            state.Apply(new ActivePolicyUpdate(key, new PolicyIntent(
                [new RuleModel { Action = RuleAction.Allow, Protocol = 6, SrcIpSetIds = [set], DstPorts = [new PortRange(80 + (p % 100), 80 + (p % 100))] }],
                [new RuleModel { Action = RuleAction.Allow, DstIpSetIds = [set], Index = 0 }, new RuleModel { Action = RuleAction.Deny, Index = 1 }])));
            keys.Add(key);
        }

        for (int e = 0; e < 200; e++)
        {
            var selected = new List<PolicyKey>(5);
            for (int k = 0; k < 5; k++)
            {
                selected.Add(keys[((e * 5) + k) % keys.Count]);
            }

            string iface = "cali" + e.ToString("x4", CultureInfo.InvariantCulture);
            state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "ns", "wep" + e.ToString(CultureInfo.InvariantCulture)), iface, [], [], [new TierIntent("default", RuleAction.Deny, selected, selected)], [])));
        }

        return state;
    }

    private static string Delta(NftTable? previous, NftTable next) => NftScript.From(NftPlanner.Plan(previous, next));
}
