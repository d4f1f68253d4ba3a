namespace Calico.Node.Routing;

/// <summary>
/// What MTU detection decided: the host MTU (<see cref="HostInterface"/> is the smallest matching interface, null
/// when none matched and upstream's fallback 1460 was used), each tunnel device's MTU (set whether or not the
/// encapsulation is in use, as upstream), and the workload MTU written to the mtu file.
/// </summary>
internal sealed record MtuPlan(int HostMtu, string? HostInterface, int Vxlan, int VxlanV6, int Ipip, int Pod, MtuEncapsulations Encapsulations)
{
    /// <summary>A configured tunnel MTU in use is larger than the host's: packets would need fragmenting (upstream warns too).</summary>
    public bool PodAboveHost => Pod > HostMtu;
}
