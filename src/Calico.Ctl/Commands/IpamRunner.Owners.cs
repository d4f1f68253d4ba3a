using Calico.Api;
using Calico.Client;

namespace Calico.Ctl.Commands;

/// <summary>Who uses which address now: node tunnel addresses and workload endpoint networks (upstream check.go's in-use scan).</summary>
internal sealed partial class IpamRunner
{
    /// <summary>The addresses in use, each with its owners' friendly names, and how many came from nodes and workloads.</summary>
    internal sealed record InUseScan(Dictionary<string, List<string>> Owners, int TunnelIps, int WorkloadIps);

    private static async Task<InUseScan> ScanInUseAsync(ResourceClient resources, CancellationToken ct)
    {
        var owners = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Use(string? text, string owner)
        {
            if (text is null)
            {
                return;
            }

            string addressText = text.Contains('/', StringComparison.Ordinal) ? text[..text.IndexOf('/', StringComparison.Ordinal)] : text;
            if (!Cidr.TryParseAddress(addressText, out var address))
            {
                return;
            }

            string key = address.ToString();
            if (!owners.TryGetValue(key, out var list))
            {
                owners[key] = list = [];
            }

            list.Add(owner);
        }

        var (nodes, _) = await resources.ListAsync(ResourceKinds.Node, null, ct).ConfigureAwait(false);
        int tunnelIps = 0;
        foreach (var r in nodes)
        {
            if (r is not Node node)
            {
                continue;
            }

            string name = node.Metadata.Name ?? "";
            foreach (var (addr, kind) in new (string?, string)[]
            {
                (node.Spec.Bgp?.Ipv4IPIPTunnelAddr, "ipip"),
                (node.Spec.Ipv4VXLANTunnelAddr, "vxlan"),
                (node.Spec.Ipv6VXLANTunnelAddr, "vxlan-v6"),
                (node.Spec.Wireguard?.InterfaceIPv4Address, "wireguard"),
                (node.Spec.Wireguard?.InterfaceIPv6Address, "wireguard-v6"),
            })
            {
                if (addr is not null)
                {
                    tunnelIps++;
                    Use(addr, $"Node({name}) {kind} tunnel address");
                }
            }
        }

        var (weps, _) = await resources.ListAsync(ResourceKinds.WorkloadEndpoint, null, ct).ConfigureAwait(false);
        int wepIps = 0;
        foreach (var r in weps)
        {
            if (r is WorkloadEndpoint wep)
            {
                foreach (var net in wep.Spec.IpNetworks ?? [])
                {
                    wepIps++;
                    Use(net, $"Workload({wep.Metadata.Namespace}/{wep.Metadata.Name})");
                }
            }
        }

        return new InUseScan(owners, tunnelIps, wepIps);
    }
}
