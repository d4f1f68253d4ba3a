using System.Net;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Dataplane.Bpf;

/// <summary>
/// The prefixes the programs' fast paths may take past the host's stack (<c>cali_pools</c>): pure, from the state
/// and the configuration, and which of them may change before the table's notrack rules do.
/// </summary>
public static class BpfFastPathPools
{
    /// <summary>
    /// What the programs' fast paths may use: every pool (true), as the table leaves pool-to-pool traffic untracked,
    /// and every local floating IP (false: the kernel DNATs it; with <c>floatingIPs</c> on); none while a host
    /// endpoint's policy applies to forwarded traffic (<see cref="HostEndpointForwarding"/>: the table must see that
    /// traffic; the renderer untracks it on the same condition). Host endpoints that police the host alone leave them on.
    /// </summary>
    public static IReadOnlyDictionary<IPNetwork, bool> Of(DataplaneState state, RenderConfig render, IEnumerable<string>? poolCidrs)
    {
        var pools = new Dictionary<IPNetwork, bool>();
        if (poolCidrs is null || HostEndpointForwarding.AnyPolicesForwardedTraffic(state))
        {
            return pools;
        }

        foreach (string cidr in poolCidrs)
        {
            if (IPNetwork.TryParse(cidr, out IPNetwork pool))
            {
                pools[pool] = true;
            }
        }

        if (render.FloatingIps)
        {
            foreach (EndpointIntent endpoint in state.Endpoints.Values)
            {
                foreach (FloatingIpIntent floating in endpoint.FloatingIps)
                {
                    if (IPAddress.TryParse(floating.ExternalIp, out IPAddress? external))
                    {
                        pools[new IPNetwork(external, external.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32)] = false;
                    }
                }
            }
        }

        return pools;
    }

    /// <summary>
    /// What the fast paths may use while the previous table is still in force: the pools both the previous and the
    /// next table untrack, and every exclusion (a floating IP: no fast path) of either, so the fast paths never
    /// reach traffic the kernel still tracks.
    /// </summary>
    public static IReadOnlyDictionary<IPNetwork, bool> BeforeTable(IReadOnlyDictionary<IPNetwork, bool>? applied, IReadOnlyDictionary<IPNetwork, bool> next)
    {
        var pools = new Dictionary<IPNetwork, bool>();
        foreach (var (pool, fast) in next)
        {
            if (!fast || (applied is not null && applied.TryGetValue(pool, out bool was) && was))
            {
                pools[pool] = fast;
            }
        }

        if (applied is not null)
        {
            foreach (var (pool, fast) in applied)
            {
                if (!fast && !next.ContainsKey(pool))
                {
                    pools[pool] = false; // an exclusion goes once the next table untracks its address
                }
            }
        }

        return pools;
    }
}
