using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

/// <summary>
/// Which host endpoints' policy reaches traffic the host forwards. Normal host endpoint policy and profiles police
/// only the host's own traffic (filter-INPUT and filter-OUTPUT); forwarded traffic meets a host endpoint only through
/// its applyOnForward (forward tiers), preDNAT and doNotTrack policy, and a host endpoint with none of those lets it
/// through (its forward chains allow what no policy decides, as upstream's). So only such an endpoint needs forwarded
/// pod traffic to take the host's stack: BPF mode's fast paths, its untracking of pod-to-pod traffic and NAT outgoing
/// in BPF stop while one exists on the node, and carry on beside host endpoints that police the host alone.
/// </summary>
public static class HostEndpointForwarding
{
    /// <summary>Whether this host endpoint has a policy that applies to forwarded traffic.</summary>
    public static bool PolicesForwardedTraffic(EndpointIntent hostEndpoint) => KindOf(hostEndpoint) is not null;

    /// <summary>
    /// The first host endpoint (by key) whose policy reaches forwarded traffic, and the kind of that policy
    /// (<c>applyOnForward</c>, <c>preDNAT</c> or <c>doNotTrack</c>), for saying why BPF mode's fast paths are off; null
    /// when none does.
    /// </summary>
    public static (EndpointKey Endpoint, string Kind)? FirstPolicingForwardedTraffic(DataplaneState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        (EndpointKey Endpoint, string Kind)? first = null;
        foreach (var (key, endpoint) in state.Endpoints)
        {
            if (key.IsHostEndpoint && KindOf(endpoint) is { } kind
                && (first is null || string.CompareOrdinal(key.ToString(), first.Value.Endpoint.ToString()) < 0))
            {
                first = (key, kind);
            }
        }

        return first;
    }

    /// <summary>
    /// Whether any host endpoint of the state (programmed or not: every one the calculation graph sent, so the
    /// table and the programs' maps decide alike) polices forwarded traffic.
    /// </summary>
    public static bool AnyPolicesForwardedTraffic(DataplaneState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var (key, endpoint) in state.Endpoints)
        {
            if (key.IsHostEndpoint && KindOf(endpoint) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The kind of the host endpoint's first policy that reaches forwarded traffic, or null.</summary>
    private static string? KindOf(EndpointIntent hostEndpoint)
    {
        ArgumentNullException.ThrowIfNull(hostEndpoint);
        return HostEndpointSelection.HasPolicies(hostEndpoint.ForwardTiers) ? "applyOnForward"
            : HostEndpointSelection.HasPolicies(hostEndpoint.PreDnatTiers) ? "preDNAT"
            : HostEndpointSelection.HasPolicies(hostEndpoint.UntrackedTiers) ? "doNotTrack"
            : null;
    }
}
