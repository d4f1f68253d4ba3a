namespace Calico.Felix.Dataplane.Interfaces;

/// <summary>Felix parameters that decide the per-interface sysctls.</summary>
public sealed record WorkloadInterfaceSettings
{
    public bool IPv4Enabled { get; init; } = true;

    /// <summary><c>Ipv6Support</c>.</summary>
    public bool IPv6Enabled { get; init; }

    /// <summary>
    /// rp_filter for workload interfaces: upstream's default is 1 (strict: a workload cannot spoof a source it is
    /// not routed); 0 is written instead for a workload allowed to spoof (allowedSourcePrefixes).
    /// </summary>
    public string DefaultRpFilter { get; init; } = "1";
}
