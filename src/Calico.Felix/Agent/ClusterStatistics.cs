using Calico.Api;

namespace Calico.Felix.Agent;

/// <summary>
/// Cluster-wide counts as upstream's <c>StatsCollector</c> keeps them, from every datastore update the agent reads: a
/// host counts while any key names it (its Node, a workload or host endpoint on it); policies are every kind of
/// network policy (staged ones included, as upstream's active-rules calculator sees them); profiles include the
/// built-in <c>projectcalico-default-allow</c>, which upstream's syncer always serves. Called from the loop only.
/// </summary>
internal sealed class ClusterStatistics
{
    private const string DefaultAllowProfile = "projectcalico-default-allow";

    private readonly Dictionary<string, string> _hostOfKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _keysOfHost = new(StringComparer.Ordinal);
    private readonly HashSet<string> _workloadEndpoints = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hostEndpoints = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tiers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _policies = new(StringComparer.Ordinal);
    private readonly HashSet<string> _profiles = new(StringComparer.Ordinal);

    public int Hosts => _keysOfHost.Count;

    public int WorkloadEndpoints => _workloadEndpoints.Count;

    public int HostEndpoints => _hostEndpoints.Count;

    public int Tiers => _tiers.Count;

    public int Policies => _policies.Count;

    public int Profiles => _profiles.Count + (_profiles.Contains(DefaultAllowProfile) ? 0 : 1);

    /// <summary>One datastore key's new value (null: deleted).</summary>
    public void Track(ResourceKind kind, string name, string key, Resource? value)
    {
        string? host = null;
        switch (kind.Kind)
        {
            case "Node":
                host = name;
                break;
            case "WorkloadEndpoint":
                host = (value as WorkloadEndpoint)?.Spec.Node;
                Set(_workloadEndpoints, key, value);
                break;
            case "HostEndpoint":
                host = (value as HostEndpoint)?.Spec.Node;
                Set(_hostEndpoints, key, value);
                break;
            case "Tier":
                Set(_tiers, key, value);
                return;
            case "Profile":
                Set(_profiles, name, value);
                return;
            default:
                if (kind.Kind.EndsWith("NetworkPolicy", StringComparison.Ordinal))
                {
                    Set(_policies, key, value);
                }

                return;
        }

        SetHost(key, value is null || string.IsNullOrEmpty(host) ? null : host);
    }

    private static void Set(HashSet<string> keys, string key, Resource? value)
    {
        if (value is null)
        {
            keys.Remove(key);
        }
        else
        {
            keys.Add(key);
        }
    }

    private void SetHost(string key, string? host)
    {
        if (_hostOfKey.TryGetValue(key, out string? old))
        {
            if (string.Equals(old, host, StringComparison.Ordinal))
            {
                return;
            }

            _hostOfKey.Remove(key);
            if (--_keysOfHost[old] == 0)
            {
                _keysOfHost.Remove(old);
            }
        }

        if (host is not null)
        {
            _hostOfKey[key] = host;
            _keysOfHost[host] = _keysOfHost.GetValueOrDefault(host) + 1;
        }
    }
}
