namespace Calico.Node.NodeStatuses;

/// <summary>The classes of <c>CalicoNodeStatus.spec.classes</c> (upstream's <c>NodeStatusClassType</c>).</summary>
internal static class NodeStatusClasses
{
    public const string Agent = "Agent";
    public const string Bgp = "BGP";
    public const string Routes = "Routes";
}
