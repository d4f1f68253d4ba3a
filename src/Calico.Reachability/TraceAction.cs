namespace Calico.Reachability;

/// <summary>The action of one trace hit.</summary>
public enum TraceAction
{
    Allow,
    Deny,
    Pass,
}
