namespace Calico.Felix.Config;

/// <summary>Upstream <c>RouteSource</c>.</summary>
public enum RouteSource { WorkloadIPs, CalicoIPAM }
