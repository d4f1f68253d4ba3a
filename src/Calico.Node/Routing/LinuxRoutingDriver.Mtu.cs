namespace Calico.Node.Routing;

/// <summary>MTU: the mtu file and the tunnel devices' MTUs, from <see cref="MtuManager"/>.</summary>
internal sealed partial class LinuxRoutingDriver
{
    /// <summary>The MTU file and tunnel MTUs; null leaves both alone (tunnel devices: parent MTU minus overhead).</summary>
    public MtuManager? Mtu { get; init; }

    /// <summary>vxlan.calico's MTU (0: the VXLAN manager's default, the parent's minus 50).</summary>
    internal int VxlanMtu => Mtu?.Current?.Vxlan ?? 0;

    /// <summary>vxlan-v6.calico's MTU (0: the parent's minus 70).</summary>
    internal int VxlanV6Mtu => Mtu?.Current?.VxlanV6 ?? 0;

    /// <summary>tunl0's MTU (0: the parent's minus 20).</summary>
    internal int IpipMtu => Mtu?.Current?.Ipip ?? 0;

    /// <summary>Recomputes the MTUs from the pools; true when a tunnel or workload MTU changed.</summary>
    private bool UpdateMtu(RoutingState state) => Mtu?.Update(state.Pools) ?? false;
}
