using System.Net;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// <c>cali_spoof</c>: each workload's allowSpoofedSourcePrefixes by its host-side interface, which the program's
/// source check lets a new flow come from although they are not routed to the workload. Only with FelixConfiguration
/// <c>workloadSourceSpoofing: Any</c>, as nft's source check (upstream's rule: the prefixes are ignored otherwise).
/// </summary>
public static class BpfSpoofPrefixes
{
    /// <summary>The entries <paramref name="state"/> asks for; endpoints without a resolved interface have none yet.</summary>
    public static HashSet<(uint Ifindex, IPNetwork Prefix)> Of(DataplaneState state, bool allowSpoofing, Func<string, uint?> ifindexOf)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(ifindexOf);
        var entries = new HashSet<(uint, IPNetwork)>();
        if (!allowSpoofing)
        {
            return entries;
        }

        foreach (EndpointIntent endpoint in state.Endpoints.Values)
        {
            if (endpoint.Key.IsHostEndpoint || endpoint.AllowSpoofedSourcePrefixes.Count == 0 || endpoint.InterfaceName is not { } iface || ifindexOf(iface) is not uint ifindex)
            {
                continue;
            }

            foreach (string prefix in endpoint.AllowSpoofedSourcePrefixes)
            {
                IpSetMember member = IpSetMember.Parse(prefix); // host bits cleared, as the trie needs
                var address = new IPAddress(member.Family == 4 ? member.Address.AsSpan(0, 4) : member.Address.AsSpan());
                entries.Add((ifindex, new IPNetwork(address, member.PrefixLength)));
            }
        }

        return entries;
    }

    /// <summary>The writes that take <c>cali_spoof</c> from <paramref name="previous"/> (null: nothing known) to <paramref name="next"/>.</summary>
    public static List<BpfMapOp> Diff(IReadOnlySet<(uint Ifindex, IPNetwork Prefix)>? previous, IReadOnlySet<(uint Ifindex, IPNetwork Prefix)> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var ops = new List<BpfMapOp>();
        foreach (var (ifindex, prefix) in next.OrderBy(static e => e.Ifindex).ThenBy(static e => e.Prefix.ToString(), StringComparer.Ordinal))
        {
            if (previous is null || !previous.Contains((ifindex, prefix)))
            {
                ops.Add(new BpfMapUpdate(BpfMapLayout.SpoofMap, BpfMapLayout.SpoofKey(ifindex, prefix), BpfMapLayout.IpSetValue()));
            }
        }

        if (previous is not null)
        {
            foreach (var (ifindex, prefix) in previous.OrderBy(static e => e.Ifindex).ThenBy(static e => e.Prefix.ToString(), StringComparer.Ordinal))
            {
                if (!next.Contains((ifindex, prefix)))
                {
                    ops.Add(new BpfMapDelete(BpfMapLayout.SpoofMap, BpfMapLayout.SpoofKey(ifindex, prefix)));
                }
            }
        }

        return ops;
    }
}
