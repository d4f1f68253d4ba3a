namespace Calico.Nftables;

/// <summary>Conntrack states, with the kernel's bit values (NF_CT_STATE_*).</summary>
[Flags]
public enum NftCtStates
{
    None = 0,
    Invalid = 1,
    Established = 2,
    Related = 4,
    New = 8,
    Untracked = 64,
}
