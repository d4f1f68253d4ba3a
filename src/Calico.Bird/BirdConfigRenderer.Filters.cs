using System.Text;
using Calico.Bird.Rendering;

namespace Calico.Bird;

/// <summary>The per-family filter functions: what goes to BGP peers, and what goes into the kernel.</summary>
public static partial class BirdConfigRenderer
{
    private static void WriteFilters(StringBuilder w, IpFamily family, IReadOnlyList<PoolView> pools, IReadOnlyList<PoolView> blocks, BirdInputs inputs)
    {
        var s = family.Suffix();
        var priority = (family == IpFamily.V4
            ? inputs.GlobalConfig?.Spec.Ipv4NormalRoutePriority
            : inputs.GlobalConfig?.Spec.Ipv6NormalRoutePriority) ?? 1024;

        w.Append('\n');
        w.Append("# Aggregation of routes on this host: export each local block, nothing beneath it.\n");
        w.Append("function calico_aggr_").Append(s).Append("() {\n");
        foreach (var block in blocks)
        {
            w.Append("  if (net = ").Append(block.Cidr).Append(") then { accept; }\n");
            w.Append("  if (net ~ ").Append(block.Cidr).Append(") then { reject; }\n");
        }

        w.Append("}\n\n");

        w.Append("function calico_export_to_bgp_peers_").Append(s).Append("(bool internal_peer) {\n");
        foreach (var pool in pools)
        {
            if (pool.Spec!.DisableBGPExport == true)
            {
                w.Append("  if (net ~ ").Append(pool.Cidr).Append(") then { reject; } # BGP export is disabled.\n");
            }
            else if (pool.Spec.Disabled == true)
            {
                w.Append("  if (net ~ ").Append(pool.Cidr).Append(") then { reject; } # IP pool is disabled.\n");
            }
        }

        w.Append("  # Routes Felix programs on its own devices (VXLAN, WireGuard, IPIP, BPF) never leave through iBGP.\n");
        w.Append("  if (internal_peer && defined(ifname)) then {\n");
        w.Append("    if ((ifname ~ \"*.cali\") || (ifname ~ \"*.calico\") || (ifname ~ \"tunl0\")) then { reject; }\n");
        w.Append("  }\n");
        w.Append("  if (defined(ifname) && ifname ~ \"bpf*.cali\") then { reject; }\n");
        WriteCommunities(w, family, inputs);
        w.Append("  calico_aggr_").Append(s).Append("();\n");
        WriteServiceExports(w, family, inputs);
        foreach (var pool in pools)
        {
            if (pool.Spec!.DisableBGPExport != true && pool.Spec.Disabled != true)
            {
                w.Append("  if (net ~ ").Append(pool.Cidr).Append(") then { accept; }\n");
            }
        }

        w.Append("}\n\n");

        w.Append("filter calico_kernel_programming_").Append(s).Append(" {\n");
        WriteServiceKernelRejects(w, family, inputs);
        foreach (var block in blocks)
        {
            w.Append("  if (source = RTS_BGP && net = ").Append(block.Cidr).Append(") then { reject; } # Our own block: the local blackhole stays.\n");
        }

        w.Append("  if (source = RTS_BGP) then { krt_metric = ").Append(priority).Append("; }\n");
        WriteBgpFilterKernelPriority(w, family, inputs);
        foreach (var pool in pools)
        {
            var felixOwns = ClusterRoutePolicy.FelixOwnershipReason(pool.Spec!, inputs.GlobalConfig);
            w.Append("  if (net ~ ").Append(pool.Cidr).Append(felixOwns is null ? ") then { accept; }\n" : $") then {{ reject; }} # {felixOwns}\n");
        }

        w.Append("  accept;\n}\n");
    }
}
