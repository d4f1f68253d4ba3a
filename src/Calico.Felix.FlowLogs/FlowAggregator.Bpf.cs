using Calico.Goldmane.Api;
using Action = Calico.Goldmane.Api.Action;

namespace Calico.Felix.FlowLogs;

public sealed partial class FlowAggregator
{
    /// <summary>The engine's enforced traces for <see cref="ObserveBpfVerdict"/> (null: BPF verdicts carry no trace).</summary>
    public IEnforcedTraceSource? EnforcedTraces { get; set; }

    /// <summary>
    /// A new flow's verdict made by the eBPF programs (one ring buffer event), in place of the logged packets of the
    /// nftables rules: the action is the program's; the enforced trace is the engine's evaluation of the programmed
    /// state for the reporting side's endpoint, kept only when it ends in that same action (else empty, counted in
    /// <see cref="FlowAggregatorCounters.BpfTraceMismatches"/>). From here on as a logged packet's terminal hit: a
    /// Deny counts the packet, an Allow starts tracking the connection, whose counters then come from
    /// <see cref="ObserveConntrack"/> (the programs' per-flow counters in BPF mode). Rate limited with logged packets.
    /// </summary>
    public void ObserveBpfVerdict(BpfFlowEvent verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        Counters.BpfVerdictsReceived++;
        if (!_bucket.TryTake())
        {
            Counters.PacketsRateLimited++;
            return;
        }

        var reporter = verdict.Reporter;
        var action = verdict.Verdict == BpfVerdict.Allow ? Action.Allow : Action.Deny;
        IReadOnlyList<PolicyHit> hits = EnforcedTraces?.EnforcedTrace(verdict.Tuple, reporter) ?? [];
        if (hits.Count > 0 && hits[^1].Action != action)
        {
            Counters.BpfTraceMismatches++;
            hits = [];
        }

        var id = (verdict.Tuple, reporter);
        _openTraces.Remove(id);
        Close(id, hits, verdict.IpLength, action);
    }
}
