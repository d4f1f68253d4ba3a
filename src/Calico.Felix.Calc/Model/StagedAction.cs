namespace Calico.Felix.Calc.Model;

/// <summary>
/// A staged policy's <c>stagedAction</c> (upstream <c>v3.StagedAction</c>). None of them is enforced; they say what
/// the pending view does with the staged policy and the enforced policy of the same identity.
/// </summary>
public enum StagedAction
{
    /// <summary>The default: the staged policy would create or replace the enforced policy of the same identity.</summary>
    Set,

    /// <summary>The staged policy would delete the enforced policy of the same identity (it has no rules of its own).</summary>
    Delete,

    /// <summary>Upstream's policy-recommendation marker: evaluated as <see cref="Set"/> (upstream's checker ignores the action).</summary>
    Learn,

    /// <summary>Upstream's policy-recommendation marker: evaluated as <see cref="Set"/> (upstream's checker ignores the action).</summary>
    Ignore,
}
