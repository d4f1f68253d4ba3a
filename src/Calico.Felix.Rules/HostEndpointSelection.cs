using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

/// <summary>
/// The host endpoints a render programs: those on a concrete interface (one per interface, the first by key), and the
/// all-interfaces one (<c>interfaceName: "*"</c>, the first by key as upstream), the default for every interface
/// without a named host endpoint, <c>lo</c> included (upstream's dispatch chains make it the fall-through for any
/// interface name). Workload interfaces never reach a host endpoint's normal chains (filter-INPUT and filter-OUTPUT
/// settle them first); forwarded and preDNAT traffic from workloads does meet the all-interfaces endpoint, as upstream.
/// </summary>
internal sealed class HostEndpointSelection
{
    private HostEndpointSelection(List<(string Iface, EndpointIntent Endpoint)> named, EndpointIntent? all)
    {
        Named = named;
        All = all;
        AllHasPreDnat = all is not null && HasPolicies(all.PreDnatTiers);
        HasPreDnat = AllHasPreDnat || named.Exists(static n => HasPolicies(n.Endpoint.PreDnatTiers));
        HasUntracked = named.Exists(static n => HasPolicies(n.Endpoint.UntrackedTiers));
    }

    public List<(string Iface, EndpointIntent Endpoint)> Named { get; }

    /// <summary>The all-interfaces host endpoint, or null.</summary>
    public EndpointIntent? All { get; }

    public bool Any => Named.Count > 0 || All is not null;

    public bool AllHasPreDnat { get; }

    /// <summary>Some programmed host endpoint has preDNAT policy: mangle-PREROUTING exists.</summary>
    public bool HasPreDnat { get; }

    /// <summary>
    /// Some named host endpoint has doNotTrack policy. Upstream ignores doNotTrack policy on the all-interfaces host
    /// endpoint (it warns "not supported for a HEP with interfaceName *"); so do we.
    /// </summary>
    public bool HasUntracked { get; }

    /// <summary>Every endpoint with its interface ("*" for the all-interfaces one), named first.</summary>
    public IEnumerable<(string Iface, EndpointIntent Endpoint)> Each()
    {
        foreach (var named in Named)
        {
            yield return named;
        }

        if (All is not null)
        {
            yield return ("*", All);
        }
    }

    public static bool HasPolicies(IReadOnlyList<TierIntent> tiers)
    {
        foreach (TierIntent tier in tiers)
        {
            if (tier.IngressPolicies.Count + tier.EgressPolicies.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    public static HostEndpointSelection Of(DataplaneState state, List<(string Iface, EndpointIntent Endpoint)> named)
    {
        EndpointIntent? all = null;
        string? allKey = null;
        foreach (var (key, endpoint) in state.Endpoints)
        {
            if (key.IsHostEndpoint && endpoint.InterfaceName == "*")
            {
                string text = key.ToString();
                if (allKey is null || string.CompareOrdinal(text, allKey) < 0)
                {
                    all = endpoint;
                    allKey = text;
                }
            }
        }

        return new HostEndpointSelection(named, all);
    }
}
