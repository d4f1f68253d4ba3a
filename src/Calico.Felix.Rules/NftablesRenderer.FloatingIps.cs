using System.Net;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

public static partial class NftablesRenderer
{
    /// <summary>DNAT of packets arriving for a floating IP (upstream's <c>cali-fip-dnat</c> from cali-PREROUTING).</summary>
    internal const string FloatingIpDnatPrerouting = "nat-fip-PREROUTING";

    /// <summary>DNAT of the host's own packets to a floating IP (upstream's <c>cali-fip-dnat</c> from cali-OUTPUT).</summary>
    internal const string FloatingIpDnatOutput = "nat-fip-OUTPUT";

    /// <summary>SNAT of a workload's packets to its own floating IP (upstream's <c>cali-fip-snat</c> from cali-POSTROUTING).</summary>
    internal const string FloatingIpSnat = "nat-fip-POSTROUTING";

    private static readonly NftPriority DstNat = new("dstnat", 0);

    /// <summary>The same number (-100) for the output hook, where nft accepts the name <c>dstnat</c> only in some versions.</summary>
    private static readonly NftPriority DstNatForOutput = NftPriority.Filter.Plus(-100);

    /// <summary>
    /// Before NAT outgoing (srcnat + 10): the first NAT binding a connection gets wins, and upstream's cali-POSTROUTING
    /// runs cali-fip-snat before cali-nat-outgoing.
    /// </summary>
    private static readonly NftChainHeader FloatingIpSnatHeader = new(NftChainType.Nat, NftHook.Postrouting, NftPriority.SrcNat.Plus(5));

    /// <summary>
    /// Floating IPs (workload endpoints' <c>ipNATs</c>), only with <see cref="RenderConfig.FloatingIps"/>, as upstream's
    /// floating IP manager: packets to an external address are DNATed to the workload's internal address, both as they
    /// arrive (prerouting, priority dstnat) and as the host sends them (output); replies are translated back by
    /// conntrack. There is no SNAT of the workload's own connections (upstream: "people don't expect floating IPs to do
    /// that"), except the loopback case: a workload reaching itself through its floating IP is SNATed to that floating IP
    /// so it does not see a packet from its own address. An external address claimed by several workloads goes to the
    /// lowest internal address (ordinal text), the SNAT of an internal address with several floating IPs uses the lowest
    /// external one, as upstream. The chains exist only with a floating IP, so a host without one registers no NAT hook
    /// for them.
    /// </summary>
    private static void AddFloatingIpChains(List<NftChain> chains, RenderContext ctx, List<(string Iface, EndpointIntent Endpoint)> workloads)
    {
        if (!ctx.Config.FloatingIps)
        {
            return;
        }

        var dnats = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, endpoint) in workloads)
        {
            foreach (FloatingIpIntent nat in endpoint.FloatingIps)
            {
                if (!dnats.TryGetValue(nat.ExternalIp, out string? existing) || string.CompareOrdinal(nat.InternalIp, existing) < 0)
                {
                    dnats[nat.ExternalIp] = nat.InternalIp;
                }
            }
        }

        if (dnats.Count == 0)
        {
            return;
        }

        var snats = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (external, inside) in dnats)
        {
            if (!snats.TryGetValue(inside, out string? existing) || string.CompareOrdinal(external, existing) < 0)
            {
                snats[inside] = external;
            }
        }

        var dnatRules = new List<NftRule>(dnats.Count);
        foreach (var (external, inside) in dnats)
        {
            NftPrefix to = NftPrefix.Parse(external);
            dnatRules.Add(Commented(
                "floating IP " + external + " to " + inside,
                Match(NftFields.Address(to.Family, source: false), to),
                Counter,
                NftNat.Dnat(IPAddress.Parse(inside))));
        }

        var snatRules = new List<NftRule>(snats.Count);
        foreach (var (inside, external) in snats)
        {
            NftPrefix own = NftPrefix.Parse(inside);
            snatRules.Add(Commented(
                "workload " + inside + " to itself through floating IP " + external,
                Match(NftFields.Address(own.Family, source: true), own),
                Match(NftFields.Address(own.Family, source: false), own),
                Counter,
                NftNat.Snat(IPAddress.Parse(external))));
        }

        chains.Add(Chain(FloatingIpDnatPrerouting, dnatRules, new NftChainHeader(NftChainType.Nat, NftHook.Prerouting, DstNat), "Floating IPs: DNAT to the workload"));
        chains.Add(Chain(FloatingIpDnatOutput, [.. dnatRules], new NftChainHeader(NftChainType.Nat, NftHook.Output, DstNatForOutput), "Floating IPs: DNAT of the host's own traffic"));
        chains.Add(Chain(FloatingIpSnat, snatRules, FloatingIpSnatHeader, "Floating IPs: SNAT of a workload reaching itself"));
    }
}
