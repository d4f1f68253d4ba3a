namespace Calico.Reachability;

/// <summary>
/// A flow's verdict: egress at the source endpoint (when the source is a known endpoint) AND ingress at the
/// destination endpoint (when the destination is one). A side that is not an endpoint is null and does not filter.
/// </summary>
public sealed record FlowVerdict(Packet Packet, SideDecision? Egress, SideDecision? Ingress)
{
    public bool Allowed => (Egress is null || Egress.Verdict == Verdict.Allow) && (Ingress is null || Ingress.Verdict == Verdict.Allow);

    public Verdict Verdict => Allowed ? Verdict.Allow : Verdict.Deny;
}
