namespace Calico.Felix.Config;

/// <summary>Upstream <c>FlowLogsPolicyEvaluationMode</c>: whether flow logs carry a pending trace (default Continuous).</summary>
public enum FlowLogsPolicyEvaluationMode { None, Continuous }
