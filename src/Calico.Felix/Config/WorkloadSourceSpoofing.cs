namespace Calico.Felix.Config;

/// <summary>Upstream <c>WorkloadSourceSpoofing</c>.</summary>
public enum WorkloadSourceSpoofing { Disabled, Any }
