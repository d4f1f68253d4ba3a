using Calico.Api;
using Calico.Felix.Calc;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>Staged policies are never enforced: adding any of them changes nothing in the rendered ruleset.</summary>
[Trait("Tier", "Unit")]
public sealed class StagedRenderTests
{
    private const string Enforced = """
        apiVersion: projectcalico.org/v3
        kind: Tier
        metadata: {name: default}
        spec: {order: 1000000, defaultAction: Deny}
        ---
        apiVersion: projectcalico.org/v3
        kind: Profile
        metadata: {name: kns.x}
        spec: {ingress: [{action: Allow}], egress: [{action: Allow}]}
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: node1-k8s-a-eth0
          namespace: x
          labels: {pod: a, projectcalico.org/namespace: x, projectcalico.org/orchestrator: k8s}
        spec: {orchestrator: k8s, node: node1, pod: a, endpoint: eth0, interfaceName: calia, ipNetworks: [10.0.0.1/32], profiles: [kns.x]}
        ---
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: allow-web, namespace: x}
        spec: {order: 100, selector: pod == 'a', types: [Ingress], ingress: [{action: Allow, protocol: TCP, destination: {ports: [80]}}]}
        ---

        """;

    private const string Staged = """
        apiVersion: projectcalico.org/v3
        kind: Tier
        metadata: {name: staging}
        spec: {order: 10, defaultAction: Deny}
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedNetworkPolicy
        metadata: {name: deny-all, namespace: x}
        spec: {order: 1, selector: pod == 'a', types: [Ingress, Egress], ingress: [{action: Deny, source: {selector: pod == 'b'}}], egress: [{action: Deny}]}
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedNetworkPolicy
        metadata: {name: allow-web, namespace: x}
        spec: {stagedAction: Delete}
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedGlobalNetworkPolicy
        metadata: {name: staging.deny}
        spec: {tier: staging, selector: all(), ingress: [{action: Deny}]}
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedKubernetesNetworkPolicy
        metadata: {name: k8s, namespace: x}
        spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
        """;

    private static DataplaneState Load(string yaml)
    {
        var graph = new CalculationGraph("node1");
        foreach (var resource in ResourceCodec.Decode(yaml))
        {
            ResourceDefaults.Apply(resource);
            var kind = ResourceKinds.Of(resource);
            graph.OnUpdate(new ResourceUpdate(kind, kind.Namespaced ? resource.Metadata.Namespace : null, resource.Metadata.Name ?? "", resource));
        }

        graph.OnInSync();
        var state = new DataplaneState();
        state.Apply(graph.Flush());
        return state;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StagedDeny_ChangesNothingInTheRenderedRuleset(bool mergeRuns)
    {
        var config = new RenderConfig { MergeRuleRuns = mergeRuns };
        var enforced = Load(Enforced);
        var withStaged = Load(Enforced + Staged);

        // The staged policies did reach the dataplane state (active, in the pending lists), so the renderer had to skip them.
        Assert.Equal(3, withStaged.Policies.Count(p => p.Value.Staged is not null));
        Assert.Contains(withStaged.Endpoints.Values.Single().Tiers, t => t.PendingIngressPolicies is not null);

        string expected = NftablesRenderer.Render(enforced, config);
        Assert.Contains(mergeRuns ? " . 80" : "dport { 80 }", expected, StringComparison.Ordinal); // the enforced allow is rendered
        string actual = NftablesRenderer.Render(withStaged, config);

        // As upstream, IP sets that staged rules use are still programmed (the pending evaluation reads them); no chain,
        // rule or map refers to them. Everything else is byte-identical.
        var (rest, stagedOnlySets) = WithoutSetsAbsentFrom(actual, expected);
        Assert.NotEmpty(stagedOnlySets);
        foreach (string set in stagedOnlySets)
        {
            Assert.Equal(1, CountOf(actual, set)); // its definition only
        }

        Assert.Equal(expected, rest);
        Assert.DoesNotContain("deny-all", actual, StringComparison.Ordinal);
        Assert.DoesNotContain("staging", actual, StringComparison.Ordinal);
    }

    /// <summary>The text without the "# IP set" blocks whose set name <paramref name="reference"/> lacks, and those names.</summary>
    private static (string Text, List<string> Removed) WithoutSetsAbsentFrom(string text, string reference)
    {
        var lines = text.Split('\n');
        var kept = new List<string>();
        var removed = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("\t# IP set ", StringComparison.Ordinal) && i + 1 < lines.Length && lines[i + 1].StartsWith("\tset ", StringComparison.Ordinal))
            {
                string name = lines[i + 1].Split(' ')[1];
                if (!reference.Contains(name, StringComparison.Ordinal))
                {
                    removed.Add(name);
                    i++;
                    while (lines[i] != "\t}")
                    {
                        i++;
                    }

                    if (i + 1 < lines.Length && lines[i + 1].Length == 0)
                    {
                        i++;
                    }

                    continue;
                }
            }

            kept.Add(lines[i]);
        }

        return (string.Join('\n', kept), removed);
    }

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
