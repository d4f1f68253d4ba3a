using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// The enforced trace of a connection as the policy engine evaluates the programmed state (staged policies take no
/// part): for verdicts made where no log prefix names the rule (the eBPF programs, whose flat rule may stand for many
/// policy rules once runs are merged).
/// </summary>
public interface IEnforcedTraceSource
{
    IReadOnlyList<PolicyHit> EnforcedTrace(FlowTuple tuple, Reporter reporter);
}
