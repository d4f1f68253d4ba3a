using Calico.Felix.Calc.Model;
using Calico.Felix.FlowLogs;
using Calico.Felix.Rules.FlowLogs;
using Calico.Goldmane.Api;
using Calico.Reachability;

namespace Calico.Node.FlowLogs;

/// <summary>
/// The collector's view of what is programmed: decodes prefixes with the table of the latest applied state, falling
/// back to the one before (packets logged just before a change), and evaluates pending traces on the latest state.
/// Rebuilt on the collector's thread when the tap publishes a new state.
/// </summary>
internal sealed class ProgrammedRules(FlowLogDataplaneTap tap) : IFlowLogPrefixDecoder, IPendingTraceSource, IEnforcedTraceSource
{
    private DataplaneState? _state;
    private FlowLogRuleDecoder? _current;
    private FlowLogRuleDecoder? _previous;
    private EnginePendingTraceSource? _pending;

    /// <summary>Picks up a newly programmed state, if any.</summary>
    public void Refresh()
    {
        var latest = tap.Programmed;
        if (latest is null || ReferenceEquals(latest, _state))
        {
            return;
        }

        _state = latest;
        _previous = _current;
        _current = new FlowLogRuleDecoder(FlowLogRuleTable.Build(latest), latest);
        _pending = new EnginePendingTraceSource(new PolicyEvaluator(latest));
    }

    public bool TryDecode(string prefix, FlowTuple tuple, out Reporter reporter, out PolicyHit hit)
    {
        if (_current is not null && _current.TryDecode(prefix, tuple, out reporter, out hit))
        {
            return true;
        }

        if (_previous is not null)
        {
            return _previous.TryDecode(prefix, tuple, out reporter, out hit);
        }

        reporter = Reporter.Unspecified;
        hit = null!;
        return false;
    }

    public IReadOnlyList<PolicyHit> PendingTrace(FlowTuple tuple, Reporter reporter) =>
        _pending?.PendingTrace(tuple, reporter) ?? [];

    /// <summary>For BPF verdicts: the engine's enforced evaluation of the latest programmed state.</summary>
    public IReadOnlyList<PolicyHit> EnforcedTrace(FlowTuple tuple, Reporter reporter) =>
        _pending?.EnforcedTrace(tuple, reporter) ?? [];
}
