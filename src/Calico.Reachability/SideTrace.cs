using Calico.Felix.Calc.Model;

namespace Calico.Reachability;

/// <summary>
/// One endpoint, one direction, one <see cref="TraceMode"/>: the ordered hits (each tier/policy/rule that passed or
/// decided, end-of-tier actions, the profile or final drop) and the verdict. The last hit always decided the verdict.
/// </summary>
public sealed record SideTrace(EndpointKey Endpoint, TrafficDirection Direction, TraceMode Mode, Verdict Verdict, IReadOnlyList<TraceHit> Hits)
{
    /// <summary>The hit that decided (the last one).</summary>
    public TraceHit Decider => Hits[^1];

    /// <summary>True when a staged policy's rule or a tier end triggered by a staged policy decided.</summary>
    public bool DecidedByStaged => Decider.IsStaged || Decider.Trigger?.IsStaged == true;

    public override string ToString() => $"{Direction} at {Endpoint} ({Mode}): {Verdict.ToString().ToUpperInvariant()} ({Decider})";
}
