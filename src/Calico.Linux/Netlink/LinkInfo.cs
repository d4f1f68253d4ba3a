namespace Calico.Linux.Netlink;

/// <summary>A link as the kernel reports it (RTM_NEWLINK answer). <see cref="Mac"/> is lower-case colon hex.</summary>
public sealed record LinkInfo(int Index, string Name, string? Mac, int Mtu, uint Flags, string? Kind, int ParentIndex)
{
    public bool IsUp => (Flags & Rtnl.IFF_UP) != 0;

    /// <summary>
    /// RFC 2863 operational state (IFLA_OPERSTATE).
    /// A veth is oper-up only once both ends are up, which is when a workload can actually be reached.
    /// </summary>
    public LinkOperState OperState { get; init; }

    /// <summary>The device's VXLAN settings when <see cref="Kind"/> is "vxlan", otherwise null.</summary>
    public VxlanAttributes? Vxlan { get; init; }
}
