using Calico.Api;

namespace Calico.Felix.Agent;

/// <summary>
/// What the agent reads from the datastore besides the calculation graph's kinds: IP pools (for NAT outgoing),
/// FelixConfiguration objects and this node's own labels (for configuration), and the number of nodes (a metric).
/// Plain dictionaries: every update replaces or removes one entry, so the cost follows the change.
/// </summary>
internal sealed class AgentInputs(string nodeName)
{
    private readonly Dictionary<string, IPPool> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FelixConfiguration> _felixConfigs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);

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
}
