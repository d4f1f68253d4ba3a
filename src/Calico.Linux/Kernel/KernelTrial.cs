namespace Calico.Linux.Kernel;

/// <summary>How a feature is tried when the kernel config cannot answer (in a throwaway namespace, or one bpf syscall).</summary>
public enum KernelTrial
{
    /// <summary>Create an inet nftables table.</summary>
    NftTable,

    /// <summary>Create a veth pair.</summary>
    VethLink,

    /// <summary>Create a VXLAN device.</summary>
    VxlanLink,

    /// <summary>Create a link of the feature's <see cref="KernelFeature.LinkKind"/> with no kind data.</summary>
    PlainLink,

    /// <summary>Load a two-instruction socket-filter program (BPF_PROG_LOAD) and close it.</summary>
    BpfProgram,

    /// <summary>Create a VXLAN device with an IPv6 local address (refused when the kernel has no IPv6).</summary>
    Vxlan6Link,
}
