namespace Calico.Reachability;

/// <summary>A flow's two sides traced in one mode (a side that is not a known endpoint is null and does not filter).</summary>
public sealed record FlowTrace(Packet Packet, TraceMode Mode, SideTrace? Egress, SideTrace? Ingress)
{
    public bool Allowed => (Egress is null || Egress.Verdict == Verdict.Allow) && (Ingress is null || Ingress.Verdict == Verdict.Allow);

    public Verdict Verdict => Allowed ? Verdict.Allow : Verdict.Deny;
}
