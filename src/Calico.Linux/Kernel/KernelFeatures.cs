namespace Calico.Linux.Kernel;

/// <summary>The features calico-node can be asked for, in the order checksystem prints them.</summary>
public static class KernelFeatures
{
    public const string Nftables = "nftables";
    public const string Veth = "veth";
    public const string Vxlan = "vxlan";
    public const string Ipip = "ipip";
    public const string Wireguard = "wireguard";
    public const string Ebpf = "ebpf";
    public const string Vxlan6 = "vxlan6";

    public static IReadOnlyList<KernelFeature> All { get; } =
    [
        // The policy dataplane: inet tables with sets, maps and NAT. Every node needs it.
        new(Nftables, "nftables (inet family)", ["CONFIG_NF_TABLES", "CONFIG_NF_TABLES_INET"], "nf_tables", Required: true, KernelTrial.NftTable),
        // Every workload interface is a veth pair.
        new(Veth, "veth pairs", ["CONFIG_VETH"], "veth", Required: true, KernelTrial.VethLink),
        new(Vxlan, "VXLAN tunnels", ["CONFIG_VXLAN"], "vxlan", Required: false, KernelTrial.VxlanLink),
        new(Ipip, "IP-in-IP tunnels", ["CONFIG_NET_IPIP"], "ipip", Required: false, KernelTrial.PlainLink, "ipip"),
        new(Wireguard, "WireGuard", ["CONFIG_WIREGUARD"], "wireguard", Required: false, KernelTrial.PlainLink, "wireguard"),
        // Built in or absent: there is no bpf module.
        new(Ebpf, "eBPF (bpf syscall)", ["CONFIG_BPF_SYSCALL"], "", Required: false, KernelTrial.BpfProgram),
        // IPv6 pools with vxlanMode: vxlan-v6.calico needs VXLAN with the IPv6 stack (appended: checksystem's order).
        new(Vxlan6, "IPv6 VXLAN tunnels", ["CONFIG_VXLAN", "CONFIG_IPV6"], "vxlan", Required: false, KernelTrial.Vxlan6Link),
    ];

    /// <summary>The feature called <paramref name="name"/>; throws for a name not in the table (a programming error).</summary>
    public static KernelFeature Get(string name)
    {
        foreach (KernelFeature feature in All)
        {
            if (feature.Name == name)
            {
                return feature;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(name), name, "no such kernel feature");
    }
}
