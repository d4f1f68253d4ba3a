using Calico.Felix.Calc.Model;
using Calico.Nftables;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>
    /// BPF mode: traffic between workloads (IP pool to IP pool, either end local) is left untracked by the kernel, as
    /// upstream's BPF mode bypasses Linux conntrack for what its programs approved. The programs' own conntrack
    /// (<c>cali_ct</c>) is what makes policy stateful there, so the kernel's would only cost a lookup per packet and an
    /// entry per connection; and it must not see half a flow: the programs hand established packets between local
    /// workloads straight to the peer (<c>bpf_redirect_peer</c>), so the kernel would see a connection's first
    /// packets only, and a later packet of it taking the stack again could read as INVALID.
    /// Left tracked: traffic to or from outside the pools (NAT outgoing needs its entry, as do replies to the host),
    /// traffic a floating IP translates (its reverse NAT needs the entry), and everything while a host endpoint exists
    /// (its policy in the table is stateful, and forwarded pod traffic crosses it).
    /// </summary>
    private static void AddBpfPoolNoTrackRules(List<NftRule> rules, RenderContext ctx, HostEndpointSelection heps, NatInputs nat, List<(string Iface, EndpointIntent Endpoint)> workloads)
    {
        if (!ctx.Config.WorkloadPolicyInBpf || heps.Any || nat.AllPoolCidrs.Count + nat.MasqueradePoolCidrs.Count == 0)
        {
            return;
        }

        if (ctx.Config.FloatingIps)
        {
            foreach (var (_, endpoint) in workloads)
            {
                foreach (FloatingIpIntent floating in endpoint.FloatingIps)
                {
                    NftPrefix external = NftPrefix.Parse(floating.ExternalIp);
                    NftPrefix inside = NftPrefix.Parse(floating.InternalIp);
                    rules.Add(Commented("Floating IP: tracked for its NAT", Match(NftFields.Address(external.Family, source: false), external), NftVerdict.Return));
                    rules.Add(Commented("Floating IP: tracked for its NAT", Match(NftFields.Address(inside.Family, source: true), inside), NftVerdict.Return));
                }
            }
        }

        NftMatch fromWorkload = Match(NftField.IifName, ctx.WorkloadWildcard);
        foreach (int family in (ReadOnlySpan<int>)[4, 6])
        {
            var allPools = new NftSetReference(NftNames.PoolSet("all", family));
            // From a local workload (its source already checked above) to any workload, local or remote.
            rules.Add(Commented(
                "Workload to workload: conntrack in the eBPF programs",
                fromWorkload,
                Match(NftFields.Address(family, source: false), allPools),
                Counter,
                NftNoTrack.Instance));
            // From a remote workload (uplink or tunnel) to a local one.
            rules.Add(Commented(
                "Workload to workload: conntrack in the eBPF programs",
                Match(NftField.IifName, ctx.WorkloadWildcard, negated: true),
                Match(NftFields.Address(family, source: true), allPools),
                Match(NftFields.Address(family, source: false), allPools),
                Counter,
                NftNoTrack.Instance));
        }
    }
}
