namespace Calico.Felix.Agent;

/// <summary>How the agent stands in for a stored value it cannot read.</summary>
internal enum CorruptHandling
{
    /// <summary>The last readable version of the key stays in force.</summary>
    LastGood,

    /// <summary>A policy with no readable version: a deny-all policy of the same name, first in its tier, stands in.</summary>
    DenyAll,

    /// <summary>Any other kind with no readable version: nothing is programmed for it.</summary>
    Skipped,
}
