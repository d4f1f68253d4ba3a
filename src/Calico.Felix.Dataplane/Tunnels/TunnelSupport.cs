namespace Calico.Felix.Dataplane.Tunnels;

/// <summary>Whether this kernel can carry an encapsulation, and, when it cannot, why (a sentence for logs, readiness and Node status).</summary>
public sealed record TunnelSupport(bool Available, string Reason);
