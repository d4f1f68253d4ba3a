namespace Calico.Linux.Netlink;

/// <summary>IF_OPER_* from linux/if.h (RFC 2863).</summary>
public enum LinkOperState : byte
{
    Unknown = 0,
    NotPresent = 1,
    Down = 2,
    LowerLayerDown = 3,
    Testing = 4,
    Dormant = 5,
    Up = 6,
}
