using System.Globalization;
using System.Text;
using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc.Tests;

/// <summary>A datastore state (resources as YAML) and the exact dataplane state it must produce.</summary>
internal sealed record CalcState(string Name, IReadOnlyList<Resource> Resources, DataplaneState Expected)
{
    public static CalcState Empty { get; } = new("<empty>", [], new DataplaneState());

    public static CalcState Of(string name, string yaml, Func<Expect, Expect> expected)
    {
        var resources = new List<Resource>();
        foreach (var r in ResourceCodec.Decode(yaml))
        {
            var converted = r is KubernetesNetworkPolicy knp ? KubernetesConversion.ToCalicoPolicy(knp) : r;
            ResourceDefaults.Apply(converted);
            resources.Add(converted);
        }

        return new CalcState(name, resources, expected(new Expect()).State);
    }
}

/// <summary>
/// Upstream's calc-graph state test, re-done: drive a graph through state sequences (forward, reversed, through
/// empty, from scratch, with updates in reverse order) and compare the dataplane after every state.
/// </summary>
internal static class StateHarness
{
    public static void Run(string? hostname, params CalcState[] states)
    {
        var sequences = new List<(string Name, List<CalcState> States)>
        {
            ("forward", [.. states, CalcState.Empty]),
        };
        var reversed = new List<CalcState>(states);
        reversed.Reverse();
        sequences.Add(("reversed", [.. reversed, CalcState.Empty]));
        for (var i = 0; i < states.Length; i++)
        {
            sequences.Add(($"scratch {i}", [states[i], CalcState.Empty]));
            for (var j = 0; j < states.Length; j++)
            {
                if (i != j)
                {
                    sequences.Add(($"{i}->empty->{j}", [states[i], CalcState.Empty, states[j], states[i]]));
                }
            }
        }

        foreach (var (name, sequence) in sequences)
        {
            RunSequence(hostname, name, sequence, reverseUpdates: false);
            RunSequence(hostname, name + " (updates reversed)", sequence, reverseUpdates: true);
        }
    }

    private static void RunSequence(string? hostname, string sequenceName, List<CalcState> sequence, bool reverseUpdates)
    {
        var graph = new CalculationGraph(hostname);
        var applied = new DataplaneState();
        var current = new Dictionary<(string, string?, string), (Resource Resource, string Json)>();
        var first = true;
        foreach (var state in sequence)
        {
            var updates = new List<ResourceUpdate>();
            var next = new Dictionary<(string, string?, string), (Resource, string)>();
            foreach (var r in state.Resources)
            {
                next[(r.Kind, r.Metadata.Namespace, r.Metadata.Name!)] = (r, ResourceCodec.ToJson(r));
            }

            foreach (var (key, (resource, _)) in current)
            {
                if (!next.ContainsKey(key))
                {
                    updates.Add(new ResourceUpdate(ResourceKinds.Of(resource), key.Item2, key.Item3, null));
                }
            }

            foreach (var (key, (resource, json)) in next)
            {
                if (!current.TryGetValue(key, out var old) || old.Json != json)
                {
                    updates.Add(new ResourceUpdate(ResourceKinds.Of(resource), key.Item2, key.Item3, ResourceCodec.Clone(resource)));
                }
            }

            if (reverseUpdates)
            {
                updates.Reverse();
            }

            foreach (var u in updates)
            {
                graph.OnUpdate(u);
            }

            if (first)
            {
                graph.OnInSync();
                first = false;
            }

            ApplyChecked(applied, graph.Flush(), $"{sequenceName}: {state.Name}");
            current = next;
            var context = $"sequence '{sequenceName}', state '{state.Name}'";
            Assert.Equal(Render(state.Expected), Render(applied), ignoreLineEndingDifferences: false);
            Assert.True(Render(state.Expected) == Render(graph.BuildActiveState()), $"{context}: graph's own state differs");
            Assert.Empty(graph.Flush());
        }
    }

    /// <summary>Applies updates one by one, checking the ordering contract: nothing refers to what is not there.</summary>
    public static void ApplyChecked(DataplaneState state, IReadOnlyList<DataplaneUpdate> updates, string context)
    {
        foreach (var u in updates)
        {
            state.Apply(u);
            switch (u)
            {
                case ActivePolicyUpdate p:
                    CheckRulesRefer(state, p.Policy.InboundRules, context);
                    CheckRulesRefer(state, p.Policy.OutboundRules, context);
                    break;
                case ActiveProfileUpdate p:
                    CheckRulesRefer(state, p.Profile.InboundRules, context);
                    CheckRulesRefer(state, p.Profile.OutboundRules, context);
                    break;
                case EndpointUpdate e:
                    foreach (var tiers in new[] { e.Endpoint.Tiers, e.Endpoint.ForwardTiers, e.Endpoint.PreDnatTiers, e.Endpoint.UntrackedTiers })
                    {
                        foreach (var t in tiers)
                        {
                            foreach (var k in t.IngressPolicies.Concat(t.EgressPolicies).Concat(t.PendingIngressPolicies ?? []).Concat(t.PendingEgressPolicies ?? []))
                            {
                                Assert.True(state.Policies.ContainsKey(k), $"{context}: endpoint {e.Endpoint.Key} before policy {k}");
                            }
                        }
                    }

                    foreach (var p in e.Endpoint.ProfileIds)
                    {
                        Assert.True(state.Profiles.ContainsKey(p), $"{context}: endpoint {e.Endpoint.Key} before profile {p}");
                    }

                    break;
                case IpSetRemove r:
                    foreach (var p in state.Policies.Values)
                    {
                        Assert.DoesNotContain(r.Id, AllIds(p.InboundRules).Concat(AllIds(p.OutboundRules)));
                    }

                    break;
                case ActivePolicyRemove r:
                    foreach (var e in state.Endpoints.Values)
                    {
                        Assert.DoesNotContain(r.Key, e.Tiers.SelectMany(t => t.IngressPolicies.Concat(t.EgressPolicies).Concat(t.PendingIngressPolicies ?? []).Concat(t.PendingEgressPolicies ?? [])));
                    }

                    break;
                case IpSetDeltaUpdate d:
                    Assert.True(d.Added.Count + d.Removed.Count > 0, $"{context}: empty delta for {d.Id}");
                    break;
            }
        }
    }

    private static void CheckRulesRefer(DataplaneState state, IReadOnlyList<RuleModel> rules, string context)
    {
        foreach (var id in AllIds(rules))
        {
            Assert.True(state.IpSets.ContainsKey(id), $"{context}: rule refers to IP set {id} before it exists");
        }
    }

    private static IEnumerable<string> AllIds(IReadOnlyList<RuleModel> rules) =>
        rules.SelectMany(r => r.SrcIpSetIds.Concat(r.NotSrcIpSetIds).Concat(r.DstIpSetIds).Concat(r.NotDstIpSetIds)
            .Concat(r.SrcNamedPortIpSetIds).Concat(r.NotSrcNamedPortIpSetIds).Concat(r.DstNamedPortIpSetIds).Concat(r.NotDstNamedPortIpSetIds));

    /// <summary>A deterministic text form of a dataplane state (everything but InSync), for exact comparison with a readable diff.</summary>
    public static string Render(DataplaneState state)
    {
        var sb = new StringBuilder();
        foreach (var (id, (type, members)) in state.IpSets.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"ipset {id} {type}: {string.Join(" ", members.Order(StringComparer.Ordinal))}\n");
        }

        foreach (var (key, p) in state.Policies.OrderBy(p => p.Key.ToString() + p.Key.Kind, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"policy {key.Kind} {key} preDnat={p.PreDnat} untracked={p.DoNotTrack} forward={p.ApplyOnForward}{(p.Staged is { } st ? $" staged={st.Action} replaces={st.Replaces}" : "")}\n");
            RenderRules(sb, "in", p.InboundRules);
            RenderRules(sb, "out", p.OutboundRules);
        }

        foreach (var (id, p) in state.Profiles.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"profile {id}\n");
            RenderRules(sb, "in", p.InboundRules);
            RenderRules(sb, "out", p.OutboundRules);
        }

        foreach (var (key, e) in state.Endpoints.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"endpoint {(key.IsHostEndpoint ? "hep" : "wep")} {key} if={e.InterfaceName} mac={e.Mac} v4=[{string.Join(",", e.Ipv4Nets)}] v6=[{string.Join(",", e.Ipv6Nets)}] profiles=[{string.Join(",", e.ProfileIds)}]\n");
            RenderTiers(sb, "tiers", e.Tiers);
            RenderTiers(sb, "forward", e.ForwardTiers);
            RenderTiers(sb, "prednat", e.PreDnatTiers);
            RenderTiers(sb, "untracked", e.UntrackedTiers);
        }

        return sb.ToString();
    }

    private static void RenderTiers(StringBuilder sb, string label, IReadOnlyList<TierIntent> tiers)
    {
        foreach (var t in tiers)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {label} {t.Name} {t.DefaultAction} in=[{string.Join(",", t.IngressPolicies)}] out=[{string.Join(",", t.EgressPolicies)}]");
            if (t.PendingIngressPolicies is not null || t.PendingEgressPolicies is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $" pendingIn={Keys(t.PendingIngressPolicies)} pendingOut={Keys(t.PendingEgressPolicies)}");
            }

            sb.Append('\n');
        }
    }

    private static string Keys(IReadOnlyList<PolicyKey>? keys) =>
        keys is null ? "same" : "[" + string.Join(",", keys.Select(k => k.Kind + ":" + k)) + "]";

    private static void RenderRules(StringBuilder sb, string direction, IReadOnlyList<RuleModel> rules)
    {
        foreach (var r in rules)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {direction}[{r.Index}] {r.Action}");
            Field(sb, "ipv", r.IpVersion);
            Field(sb, "proto", r.Protocol);
            Field(sb, "!proto", r.NotProtocol);
            Field(sb, "icmp", r.IcmpType);
            Field(sb, "icmpcode", r.IcmpCode);
            Field(sb, "!icmp", r.NotIcmpType);
            Field(sb, "!icmpcode", r.NotIcmpCode);
            List(sb, "srcNets", r.SrcNets);
            List(sb, "!srcNets", r.NotSrcNets);
            List(sb, "srcSets", r.SrcIpSetIds);
            List(sb, "!srcSets", r.NotSrcIpSetIds);
            List(sb, "srcPorts", r.SrcPorts.Select(p => p.ToString()).ToList());
            List(sb, "!srcPorts", r.NotSrcPorts.Select(p => p.ToString()).ToList());
            List(sb, "srcNamed", r.SrcNamedPortIpSetIds);
            List(sb, "!srcNamed", r.NotSrcNamedPortIpSetIds);
            List(sb, "dstNets", r.DstNets);
            List(sb, "!dstNets", r.NotDstNets);
            List(sb, "dstSets", r.DstIpSetIds);
            List(sb, "!dstSets", r.NotDstIpSetIds);
            List(sb, "dstPorts", r.DstPorts.Select(p => p.ToString()).ToList());
            List(sb, "!dstPorts", r.NotDstPorts.Select(p => p.ToString()).ToList());
            List(sb, "dstNamed", r.DstNamedPortIpSetIds);
            List(sb, "!dstNamed", r.NotDstNamedPortIpSetIds);
            sb.Append('\n');
        }
    }

    private static void Field(StringBuilder sb, string name, int? value)
    {
        if (value is { } v)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {name}={v}");
        }
    }

    private static void List(StringBuilder sb, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {name}=[{string.Join(",", values)}]");
        }
    }
}
