namespace Calico.Felix.FlowLogs;

/// <summary>Upstream's <c>flowLogsPolicyEvaluationMode</c>.</summary>
public enum PolicyEvaluationMode
{
    /// <summary>No pending trace (pending_policies stays empty).</summary>
    None,

    /// <summary>Upstream's default: the pending trace of every live flow is evaluated again at each flush.</summary>
    Continuous,
}
