using System.Net;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Agent;

/// <summary>
/// Which host endpoint governs which host interface, as upstream's endpoint manager resolves it
/// (<c>resolveHostEndpoints</c>): for every interface of the host outside the workload prefix, the candidates are the
/// host endpoints naming it (<c>interfaceName</c>) and those without a name that expect one of its addresses
/// (<c>expectedIPs</c>); the one with the ordinally smallest name wins, so one interface has one host endpoint. A named
/// endpoint never matches another interface by address. An endpoint may govern several interfaces (its expected
/// addresses spread over them). Pure: the same inputs give the same output.
/// Two differences from upstream, both keeping named endpoints as they were before addresses were followed: a named
/// endpoint whose interface is not on the host (yet) is passed through (its chains wait for the interface), and while
/// the host's interfaces are unknown every named endpoint is. <c>*</c> endpoints are passed through unchanged.
/// </summary>
internal static class HostEndpointResolver
{
    /// <summary>Marks the key of the second and later interfaces one endpoint governs: <c>name@iface</c> ('@' is never in a resource name).</summary>
    public const char InterfaceSeparator = '@';

    /// <summary>
    /// The host endpoints to render, each with the concrete interface it governs. The first interface (ordinally) of an
    /// endpoint keeps the endpoint's key; further ones are keyed <c>name@iface</c>.
    /// </summary>
    /// <param name="hostEndpoints">Local host endpoints as the calculation graph gave them (interfaceName as written, or null).</param>
    /// <param name="interfaces">The host's interfaces and addresses; null while not read yet.</param>
    /// <param name="workloadPrefix">Felix's InterfacePrefix: such interfaces never bind a host endpoint.</param>
    public static Dictionary<EndpointKey, EndpointIntent> Resolve(
        IReadOnlyDictionary<EndpointKey, EndpointIntent> hostEndpoints, HostInterfaces? interfaces, string workloadPrefix)
    {
        ArgumentNullException.ThrowIfNull(hostEndpoints);
        ArgumentException.ThrowIfNullOrEmpty(workloadPrefix);
        var result = new Dictionary<EndpointKey, EndpointIntent>();
        var ordered = hostEndpoints.Values.Where(e => e.Key.IsHostEndpoint).ToList();
        ordered.Sort(static (a, b) => string.CompareOrdinal(a.Key.Name, b.Key.Name));

        // Interface name -> the winning endpoint (the first candidate in name order).
        var winners = new SortedDictionary<string, EndpointIntent>(StringComparer.Ordinal);
        if (interfaces is not null)
        {
            foreach (var (iface, addresses) in interfaces.ByName)
            {
                if (iface.StartsWith(workloadPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (EndpointIntent endpoint in ordered)
                {
                    if (Matches(endpoint, iface, addresses))
                    {
                        winners[iface] = endpoint;
                        break;
                    }
                }
            }
        }

        foreach (EndpointIntent endpoint in ordered)
        {
            string? name = endpoint.InterfaceName;
            if (name == "*")
            {
                result[endpoint.Key] = endpoint;
            }
            else if (!string.IsNullOrEmpty(name) && (interfaces is null || !interfaces.ByName.ContainsKey(name)))
            {
                result[endpoint.Key] = endpoint; // not on the host (yet): rendered for when it appears, as before
            }
        }

        var seen = new HashSet<EndpointKey>();
        foreach (var (iface, endpoint) in winners)
        {
            EndpointKey key = seen.Add(endpoint.Key)
                ? endpoint.Key
                : endpoint.Key with { Name = endpoint.Key.Name + InterfaceSeparator + iface };
            result[key] = string.Equals(endpoint.InterfaceName, iface, StringComparison.Ordinal)
                ? endpoint
                : endpoint with { Key = key, InterfaceName = iface };
        }

        return result;
    }

    private static bool Matches(EndpointIntent endpoint, string iface, IReadOnlyList<IPAddress> addresses)
    {
        string? name = endpoint.InterfaceName;
        if (!string.IsNullOrEmpty(name))
        {
            return string.Equals(name, iface, StringComparison.Ordinal); // "*" never equals an interface name
        }

        foreach (string cidr in endpoint.Ipv4Nets.Concat(endpoint.Ipv6Nets))
        {
            int slash = cidr.IndexOf('/', StringComparison.Ordinal);
            if (IPAddress.TryParse(slash < 0 ? cidr : cidr[..slash], out IPAddress? expected) && addresses.Contains(expected))
            {
                return true;
            }
        }

        return false;
    }
}
