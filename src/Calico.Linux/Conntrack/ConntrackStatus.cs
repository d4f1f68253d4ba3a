namespace Calico.Linux.Conntrack;

/// <summary>enum ip_conntrack_status (linux/netfilter/nf_conntrack_common.h), the bits callers use.</summary>
[Flags]
public enum ConntrackStatus : uint
{
    None = 0,
    Expected = 1 << 0,

    /// <summary>A packet was seen in the reply direction.</summary>
    SeenReply = 1 << 1,

    /// <summary>Seen both ways long enough to be kept under pressure (TCP: established).</summary>
    Assured = 1 << 2,

    /// <summary>The entry left the unconfirmed list: its first packet passed the hooks.</summary>
    Confirmed = 1 << 3,
    SourceNat = 1 << 4,
    DestinationNat = 1 << 5,
    SequenceAdjust = 1 << 6,
    SourceNatDone = 1 << 7,
    DestinationNatDone = 1 << 8,
    Dying = 1 << 9,
    FixedTimeout = 1 << 10,
    Template = 1 << 11,
    Untracked = 1 << 12,
    Helper = 1 << 13,
    Offload = 1 << 14,
}
