namespace Calico.Felix.Config;

/// <summary>Upstream <c>ServiceLoopPrevention</c>.</summary>
public enum ServiceLoopPrevention { Drop, Reject, Disabled }
