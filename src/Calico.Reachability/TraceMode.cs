namespace Calico.Reachability;

/// <summary>Which policies a trace evaluates (upstream's checker <c>EnforcedOnly</c> / <c>StagedAsEnforced</c>).</summary>
public enum TraceMode
{
    /// <summary>What the dataplane enforces: staged policies take no part (same verdict as <see cref="PolicyEvaluator.Evaluate"/>).</summary>
    Enforced,

    /// <summary>
    /// What would happen if the staged policies went live now: staged Set/Learn/Ignore policies are evaluated in their
    /// tier at their order, in place of the enforced policy of the same identity; a staged Delete removes that policy.
    /// </summary>
    Pending,
}
