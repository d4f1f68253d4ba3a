using Calico.Api;

namespace Calico.Felix.Agent;

/// <summary>
/// What the agent reads from the datastore besides the calculation graph's kinds: IP pools (for NAT outgoing),
/// FelixConfiguration objects and this node's own labels (for configuration), the number of nodes (a metric) and
/// their BGP addresses (NAT outgoing's host exclusion).
/// Plain dictionaries: every update replaces or removes one entry, so the cost follows the change.
/// </summary>
internal sealed class AgentInputs(string nodeName)
{
    private readonly Dictionary<string, IPPool> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FelixConfiguration> _felixConfigs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeAddresses> _nodeAddresses = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> NodeLabels { get; private set; } = new Dictionary<string, string>();

    public int NodeCount => _nodes.Count;

    /// <summary>Set when pools changed since the last <see cref="TakePoolsChanged"/>.</summary>
    public bool PoolsChanged { get; private set; } = true;

    /// <summary>Set when FelixConfiguration or this node's labels changed since the last <see cref="TakeConfigChanged"/>.</summary>
    public bool ConfigChanged { get; private set; }

    public IEnumerable<IPPool> Pools => _pools.Values;

    /// <summary>True when the update was one of ours (it does not go to the calculation graph).</summary>
    public bool TryApply(ResourceKind kind, string name, Resource? value)
    {
        switch (kind.Kind)
        {
            case IPPool.KindName:
                if (value is IPPool pool)
                {
                    _pools[name] = pool;
                }
                else
                {
                    _pools.Remove(name);
                }

                PoolsChanged = true;
                return true;
            case FelixConfiguration.KindName:
                if (value is FelixConfiguration fc)
                {
                    _felixConfigs[name] = fc;
                }
                else
                {
                    _felixConfigs.Remove(name);
                }

                ConfigChanged = true;
                return true;
            case Api.Node.KindName:
                if (value is null)
                {
                    _nodes.Remove(name);
                }
                else
                {
                    _nodes.Add(name);
                }

                TrackAddresses(name, value as Api.Node);

                if (name == nodeName)
                {
                    NodeLabels = value?.Metadata.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : new Dictionary<string, string>();
                    ConfigChanged = true;
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Set when a node's BGP addresses changed since the last <see cref="TakeHostsChanged"/>.</summary>
    public bool HostsChanged { get; private set; } = true;

    /// <summary>Every node's BGP IPv4 and IPv6 addresses (as written, possibly with a subnet): upstream's all-hosts set.</summary>
    public IEnumerable<string> HostAddresses => _nodeAddresses.Values.SelectMany(static a => a.All);

    public bool TakeHostsChanged()
    {
        bool changed = HostsChanged;
        HostsChanged = false;
        return changed;
    }

    private void TrackAddresses(string name, Api.Node? node)
    {
        var addresses = new NodeAddresses(NonEmpty(node?.Spec?.Bgp?.Ipv4Address), NonEmpty(node?.Spec?.Bgp?.Ipv6Address));
        _nodeAddresses.TryGetValue(name, out NodeAddresses? before);
        if (addresses.All.Length == 0)
        {
            HostsChanged |= _nodeAddresses.Remove(name);
        }
        else if (addresses != before)
        {
            _nodeAddresses[name] = addresses;
            HostsChanged = true;
        }

        static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    public bool TakePoolsChanged()
    {
        bool changed = PoolsChanged;
        PoolsChanged = false;
        return changed;
    }

    public bool TakeConfigChanged()
    {
        bool changed = ConfigChanged;
        ConfigChanged = false;
        return changed;
    }

    public FelixConfiguration? GlobalConfig => _felixConfigs.GetValueOrDefault("default");

    public FelixConfiguration? NodeConfig => _felixConfigs.GetValueOrDefault("node." + nodeName);

    /// <summary>FelixConfigurations other than <c>default</c> and <c>node.*</c>: candidates for nodeSelector scoping.</summary>
    public IReadOnlyList<FelixConfiguration> SelectorScopedConfigs =>
        _felixConfigs.Where(kv => kv.Key != "default" && !kv.Key.StartsWith("node.", StringComparison.Ordinal))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).ToList();

    private sealed record NodeAddresses(string? V4, string? V6)
    {
        public string[] All => V4 is null ? (V6 is null ? [] : [V6]) : (V6 is null ? [V4] : [V4, V6]);
    }
}
