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
    /// connections the kernel DNATs (a host port from a pod, a floating IP: their replies need the reverse NAT; see
    /// <see cref="KernelNatMarkRule"/>), and everything while a host endpoint's policy applies to forwarded traffic
    /// (<see cref="HostEndpointForwarding"/>: that policy is stateful and pod traffic crosses it). Beside host
    /// endpoints that police the host alone, traffic to one of the host's own addresses stays tracked too (a pool
    /// address of the host, such as a tunnel device's, reached from a remote pod: the host endpoint's stateful
    /// INPUT policy must see its flows whole).
    /// </summary>
    private static void AddBpfPoolNoTrackRules(List<NftRule> rules, RenderContext ctx, HostEndpointSelection heps, NatInputs nat, List<(string Iface, EndpointIntent Endpoint)> workloads)
    {
        if (!PoolTrafficUntracked(ctx, nat))
        {
            return;
        }

        if (ctx.Config.FloatingIps)
        {
            foreach (var (_, endpoint) in workloads)
            {
                foreach (FloatingIpIntent floating in endpoint.FloatingIps)
                {
                    // A floating IP inside a pool: its connections are opened tracked, so the DNAT happens.
                    NftPrefix external = NftPrefix.Parse(floating.ExternalIp);
                    rules.Add(Commented("Floating IP: tracked for its NAT", Match(NftFields.Address(external.Family, source: false), external), NftVerdict.Return));
                }
            }
        }

        // A reply of a connection the kernel DNATed, marked so by the program that let it out of the workload.
        rules.Add(Commented("Reply of a connection the kernel NATs: tracked", MarkIs(ctx.Config.KernelNatMark, ctx.Config.KernelNatMark), Counter, NftVerdict.Return));

        // NAT outgoing in BPF: a flow the programs NATed (its workload's packets, and its replies reversed at the uplink).
        rules.Add(Commented("Flow NATed by the eBPF programs: untracked", MarkIs(ctx.Config.BpfNatNoTrackMark, ctx.Config.BpfNatNoTrackMark), Counter, NftNoTrack.Instance));

        NftMatch fromWorkload = Match(NftField.IifName, ctx.WorkloadWildcard);
        foreach (int family in (ReadOnlySpan<int>)[4, 6])
        {
            var allPools = new NftSetReference(NftNames.PoolSet("all", family));
            // From a local workload (its source already checked above) to any workload, local or remote.
            rules.Add(WorkloadNoTrack(heps, fromWorkload, Match(NftFields.Address(family, source: false), allPools)));
            // From a remote workload (uplink or tunnel) to a local one.
            rules.Add(WorkloadNoTrack(
                heps,
                Match(NftField.IifName, ctx.WorkloadWildcard, negated: true),
                Match(NftFields.Address(family, source: true), allPools),
                Match(NftFields.Address(family, source: false), allPools)));
        }
    }

    private static readonly NftFibLocalDestination NotToTheHost = new(negated: true);

    /// <summary>
    /// A workload-to-workload notrack rule over <paramref name="matches"/>; beside host endpoints, not for traffic to
    /// the host's own addresses (see <see cref="AddBpfPoolNoTrackRules"/>).
    /// </summary>
    private static NftRule WorkloadNoTrack(HostEndpointSelection heps, params NftStatement[] matches)
    {
        var statements = new List<NftStatement>(matches);
        if (heps.Any)
        {
            statements.Add(NotToTheHost);
        }

        statements.Add(Counter);
        statements.Add(NftNoTrack.Instance);
        return Commented("Workload to workload: conntrack in the eBPF programs", statements);
    }

    /// <summary>
    /// Whether BPF mode leaves workload-to-workload traffic untracked (and the programs' fast paths run): no host
    /// endpoint whose policy applies to forwarded traffic (<see cref="HostEndpointForwarding"/>, decided on the state
    /// as <c>BpfFastPathPools</c> decides), and a pool to say what workload traffic is.
    /// </summary>
    internal static bool PoolTrafficUntracked(RenderContext ctx, NatInputs nat) =>
        ctx.Config.WorkloadPolicyInBpf && !HostEndpointForwarding.AnyPolicesForwardedTraffic(ctx.State) && nat.AllPoolCidrs.Count + nat.MasqueradePoolCidrs.Count > 0;

    /// <summary>
    /// BPF mode, first in filter-FORWARD and filter-OUTPUT: a packet of a connection the kernel DNATed (a host port, a
    /// floating IP) carries <see cref="RenderConfig.KernelNatMark"/> to the workload's to-workload program, which
    /// notes it in its conntrack entry; the connection's replies then take the stack, marked, and stay tracked (the
    /// raw table's notrack skips them), so the reverse NAT happens.
    /// </summary>
    private static NftRule KernelNatMarkRule(RenderContext ctx) =>
        Commented("Connection the kernel DNATs: the eBPF programs keep its replies on the stack", Match(NftField.CtStatus, NftCtStatus.Dnat), Counter, new NftMarkSet(NftMarkOperation.Or, ctx.Config.KernelNatMark));

    /// <summary>
    /// BPF mode, first in the NAT outgoing chain: a packet the programs will source-NAT (calico_to_data, at the data
    /// interface's tc egress) is left to them: marked <see cref="RenderConfig.BpfNatMark"/> by calico_from_wl and not
    /// DNATed by the kernel (a DNATed connection's packets carry <see cref="RenderConfig.KernelNatMark"/> from
    /// filter-FORWARD, and the kernel masquerades them as before).
    /// </summary>
    internal static NftRule BpfNatReturnRule(RenderConfig config) =>
        Commented("NAT outgoing in the eBPF programs", MarkIs(config.BpfNatMark | config.KernelNatMark, config.BpfNatMark), Counter, NftVerdict.Return);
}
