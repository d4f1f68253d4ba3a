using Calico.Felix.FlowLogs;
using Calico.Goldmane.Api;
using Calico.Reachability;

namespace Calico.Node.FlowLogs;

/// <summary>
/// Traces from the policy engine (<see cref="PolicyEvaluator.Trace"/>) over the state calico-node last programmed: the
/// reporting side's local endpoint, in the reporting direction. <see cref="TraceMode.Pending"/> for the pending trace;
/// <see cref="TraceMode.Enforced"/> for BPF verdicts, whose flat rule does not name its policy rule.
/// </summary>
internal sealed class EnginePendingTraceSource(PolicyEvaluator evaluator) : IPendingTraceSource, IEnforcedTraceSource
{
    public IReadOnlyList<PolicyHit> PendingTrace(FlowTuple tuple, Reporter reporter) => Trace(tuple, reporter, TraceMode.Pending);

    public IReadOnlyList<PolicyHit> EnforcedTrace(FlowTuple tuple, Reporter reporter) => Trace(tuple, reporter, TraceMode.Enforced);

    private PolicyHit[] Trace(FlowTuple tuple, Reporter reporter, TraceMode mode)
    {
        var local = reporter == Reporter.Src ? tuple.Src : tuple.Dst;
        if (evaluator.EndpointFor(local) is not { } key || !evaluator.State.Endpoints.TryGetValue(key, out var endpoint))
        {
            return [];
        }

        var direction = reporter == Reporter.Src ? TrafficDirection.Egress : TrafficDirection.Ingress;
        var packet = new Packet(tuple.Src, tuple.Dst, tuple.Protocol, tuple.SrcPort, tuple.DstPort);
        var trace = evaluator.Trace(endpoint, direction, packet, mode);
        var hits = new PolicyHit[trace.Hits.Count];
        for (int i = 0; i < hits.Length; i++)
        {
            hits[i] = ToHit(trace.Hits[i]);
        }

        return hits;
    }

    internal static PolicyHit ToHit(TraceHit hit)
    {
        var result = new PolicyHit
        {
            Kind = hit.Kind switch
            {
                TraceKind.CalicoNetworkPolicy => PolicyKind.CalicoNetworkPolicy,
                TraceKind.GlobalNetworkPolicy => PolicyKind.GlobalNetworkPolicy,
                TraceKind.KubernetesNetworkPolicy => PolicyKind.NetworkPolicy,
                TraceKind.StagedNetworkPolicy => PolicyKind.StagedNetworkPolicy,
                TraceKind.StagedGlobalNetworkPolicy => PolicyKind.StagedGlobalNetworkPolicy,
                TraceKind.StagedKubernetesNetworkPolicy => PolicyKind.StagedKubernetesNetworkPolicy,
                TraceKind.Profile => PolicyKind.Profile,
                _ => PolicyKind.EndOfTier,
            },
            Namespace = hit.Namespace ?? string.Empty,
            Name = hit.Name,
            Tier = hit.Tier,
            Action = hit.Action switch
            {
                TraceAction.Allow => Goldmane.Api.Action.Allow,
                TraceAction.Deny => Goldmane.Api.Action.Deny,
                _ => Goldmane.Api.Action.Pass,
            },
            PolicyIndex = hit.PolicyIndex,
            RuleIndex = hit.RuleIndex,
        };
        if (hit.Trigger is not null)
        {
            result.Trigger = ToHit(hit.Trigger);
        }

        return result;
    }
}
