using Calico.Api;

namespace Calico.Node.NodeStatuses;

/// <summary>Spec comparison: a status write changes nothing here, a spec change starts a new report.</summary>
internal static class NodeStatusSpecs
{
    public static bool Same(CalicoNodeStatusSpec a, CalicoNodeStatusSpec b) =>
        a.Node == b.Node && a.UpdatePeriodSeconds == b.UpdatePeriodSeconds
        && (a.Classes ?? []).SequenceEqual(b.Classes ?? [], StringComparer.Ordinal);

    public static CalicoNodeStatusSpec Copy(CalicoNodeStatusSpec spec) =>
        new() { Node = spec.Node, Classes = spec.Classes?.ToList(), UpdatePeriodSeconds = spec.UpdatePeriodSeconds };
}
