namespace Calico.Felix.Rules.FlowLogs;

/// <summary>The verdict a logged rule gives.</summary>
public enum FlowLogAction
{
    Allow,
    Deny,

    /// <summary>Pass to the next tier (upstream's "next-tier").</summary>
    Pass,
}
