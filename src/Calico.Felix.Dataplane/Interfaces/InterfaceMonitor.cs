using Calico.Linux.Netlink;

namespace Calico.Felix.Dataplane.Interfaces;

/// <summary>
/// Polls the workload interfaces (name prefix) with one link dump, so the apply loop notices a veth appearing,
/// vanishing or changing oper state and retries what depended on it (routes, sysctls). Polling, not a netlink
/// multicast subscription: the apply loop already runs on a refresh timer, and a dump cannot miss events.
/// </summary>
public sealed class InterfaceMonitor
{
    private readonly RouteNetlink _netlink;
    private readonly string[] _prefixes;
    private Dictionary<string, LinkInfo> _previous = new(StringComparer.Ordinal);

    /// <param name="netlink">A socket in the namespace to watch (the caller owns it).</param>
    public InterfaceMonitor(RouteNetlink netlink, IReadOnlyList<string> workloadInterfacePrefixes)
    {
        ArgumentNullException.ThrowIfNull(netlink);
        ArgumentNullException.ThrowIfNull(workloadInterfacePrefixes);
        if (workloadInterfacePrefixes.Count == 0)
        {
            throw new ArgumentException("at least one interface prefix is needed", nameof(workloadInterfacePrefixes));
        }

        _netlink = netlink;
        _prefixes = [.. workloadInterfacePrefixes];
    }

    /// <summary>The workload interfaces now, by name.</summary>
    public IReadOnlyDictionary<string, LinkInfo> Snapshot() => ReadWorkloadLinks();

    private Dictionary<string, LinkInfo> ReadWorkloadLinks()
    {
        var links = new Dictionary<string, LinkInfo>(StringComparer.Ordinal);
        foreach (LinkInfo link in _netlink.ListLinks())
        {
            if (Matches(link.Name))
            {
                links[link.Name] = link;
            }
        }

        return links;
    }

    /// <summary>
    /// A snapshot compared with the previous poll: names that appeared (or were re-created with a new index),
    /// changed oper state, or disappeared. The first poll reports every interface as appeared.
    /// </summary>
    public InterfaceChanges Poll()
    {
        Dictionary<string, LinkInfo> current = ReadWorkloadLinks();
        var appeared = new List<LinkInfo>();
        var changed = new List<LinkInfo>();
        foreach ((string name, LinkInfo link) in current)
        {
            if (!_previous.TryGetValue(name, out LinkInfo? before) || before.Index != link.Index)
            {
                appeared.Add(link);
            }
            else if (before.OperState != link.OperState || before.IsUp != link.IsUp)
            {
                changed.Add(link);
            }
        }

        var disappeared = new List<string>();
        foreach (string name in _previous.Keys)
        {
            if (!current.ContainsKey(name))
            {
                disappeared.Add(name);
            }
        }

        _previous = current;
        return new InterfaceChanges(current, appeared, changed, disappeared);
    }

    private bool Matches(string name)
    {
        foreach (string prefix in _prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
