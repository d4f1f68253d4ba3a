using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs;

/// <summary>
/// The pending trace of a connection: the policy engine's evaluation with staged policies in place of the ones
/// they would replace, for the reporting side's endpoint. Used only when flowLogsPolicyEvaluationMode is Continuous.
/// </summary>
public interface IPendingTraceSource
{
    IReadOnlyList<PolicyHit> PendingTrace(FlowTuple tuple, Reporter reporter);
}
