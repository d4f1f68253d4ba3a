namespace Calico.Felix.Calc.Model;

/// <summary>
/// The dataplane's view after applying every update so far: what a renderer programs and what the policy
/// evaluator (explain, simulate, conformance) reads. Applying updates in order must give the same state as the
/// graph's own notion of what is active; tests compare the two.
/// </summary>
public sealed class DataplaneState
{
    public Dictionary<string, (IpSetType Type, HashSet<string> Members)> IpSets { get; } = new(StringComparer.Ordinal);

    public Dictionary<PolicyKey, PolicyIntent> Policies { get; } = [];

    public Dictionary<string, ProfileIntent> Profiles { get; } = new(StringComparer.Ordinal);

    public Dictionary<EndpointKey, EndpointIntent> Endpoints { get; } = [];

    public bool InSync { get; private set; }

    private readonly Dictionary<string, long> _ipSetVersions = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>
    /// Changes whenever the IP set's membership or type changes (0 for an unknown set): lets a renderer reuse what
    /// it rendered for a set that did not change, so the cost of a batch follows what the batch touched.
    /// </summary>
    public long IpSetVersion(string id) => _ipSetVersions.GetValueOrDefault(id);

    public void Apply(IEnumerable<DataplaneUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        foreach (var u in updates)
        {
            Apply(u);
        }
    }

    public void Apply(DataplaneUpdate update)
    {
        switch (update)
        {
            case IpSetUpdate s:
                IpSets[s.Id] = (s.Type, new HashSet<string>(s.Members, StringComparer.Ordinal));
                _ipSetVersions[s.Id] = ++_version;
                break;
            case IpSetDeltaUpdate d:
                if (!IpSets.TryGetValue(d.Id, out var set))
                {
                    throw new InvalidOperationException($"delta for unknown IP set {d.Id}");
                }

                set.Members.ExceptWith(d.Removed);
                set.Members.UnionWith(d.Added);
                _ipSetVersions[d.Id] = ++_version;
                break;
            case IpSetRemove r:
                IpSets.Remove(r.Id);
                _ipSetVersions.Remove(r.Id);
                break;
            case ActivePolicyUpdate p:
                Policies[p.Key] = p.Policy;
                break;
            case ActivePolicyRemove p:
                Policies.Remove(p.Key);
                break;
            case ActiveProfileUpdate p:
                Profiles[p.Id] = p.Profile;
                break;
            case ActiveProfileRemove p:
                Profiles.Remove(p.Id);
                break;
            case EndpointUpdate e:
                Endpoints[e.Endpoint.Key] = e.Endpoint;
                break;
            case EndpointRemove e:
                Endpoints.Remove(e.Key);
                break;
            case InSyncUpdate:
                InSync = true;
                break;
            default:
                throw new InvalidOperationException("unknown update " + update.GetType().Name);
        }
    }
}
