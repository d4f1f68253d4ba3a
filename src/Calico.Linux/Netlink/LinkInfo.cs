namespace Calico.Linux.Netlink;

/// <summary>A link as the kernel reports it (RTM_NEWLINK answer). <see cref="Mac"/> is lower-case colon hex.</summary>
public sealed record LinkInfo(int Index, string Name, string? Mac, int Mtu, uint Flags, string? Kind, int ParentIndex)
{
    public bool IsUp => (Flags & Rtnl.IFF_UP) != 0;
}
