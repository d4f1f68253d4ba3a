namespace Calico.Felix.Dataplane.Interfaces;

/// <summary>Felix parameters that decide the per-interface sysctls.</summary>
public sealed record WorkloadInterfaceSettings
{
    public bool IPv4Enabled { get; init; } = true;

    /// <summary><c>Ipv6Support</c>.</summary>
    public bool IPv6Enabled { get; init; }

    /// <summary>
    /// rp_filter for workload interfaces: calico-node passes the host's own default (<see cref="HostRpFilterDefault"/>,
    /// as upstream), 1 (strict) when unset; 0 is written instead for a workload allowed to spoof
    /// (allowedSourcePrefixes). IPv4 anti-spoofing itself is the table's raw-PREROUTING check, not this sysctl.
    /// </summary>
    public string DefaultRpFilter { get; init; } = "1";
}
