namespace Calico.Felix.Config;

/// <summary>Upstream <c>FloatingIPs</c>: whether workload endpoints' <c>ipNATs</c> are programmed (default Disabled).</summary>
public enum FloatingIps { Enabled, Disabled }
