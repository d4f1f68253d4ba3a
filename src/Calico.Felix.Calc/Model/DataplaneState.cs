namespace Calico.Felix.Calc.Model;

/// <summary>
/// The dataplane's view after applying every update so far: what a renderer programs and what the policy
/// evaluator (explain, simulate, conformance) reads. Applying updates in order must give the same state as the
/// graph's own notion of what is active; tests compare the two.
/// </summary>
public sealed class DataplaneState
{
    public Dictionary<string, (IpSetType Type, HashSet<string> Members)> IpSets { get; } = new(StringComparer.Ordinal);

    /// <summary>Active policies. Change them through <see cref="Apply(DataplaneUpdate)"/> only: it journals them (<see cref="ChangesSince"/>).</summary>
    public Dictionary<PolicyKey, PolicyIntent> Policies { get; } = [];

    /// <summary>Active profiles. Change them through <see cref="Apply(DataplaneUpdate)"/> only: it journals them (<see cref="ChangesSince"/>).</summary>
    public Dictionary<string, ProfileIntent> Profiles { get; } = new(StringComparer.Ordinal);

    public Dictionary<EndpointKey, EndpointIntent> Endpoints { get; } = [];

    public bool InSync { get; private set; }

    private readonly Dictionary<string, long> _ipSetVersions = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>The policies and profiles updated or removed, in order, from revision <see cref="_journalStart"/> on.</summary>
    private readonly List<DataplaneStateChange> _journal = [];
    private long _journalStart;

    /// <summary>How many policy and profile updates and removals were applied (the journal's end).</summary>
    public long Revision => _journalStart + _journal.Count;

    /// <summary>The journal keeps at least this many of the latest changes; a reader further behind walks everything.</summary>
    public const int JournalLength = 4096;

    /// <summary>
    /// The policies and profiles updated or removed since <paramref name="revision"/> (an earlier <see cref="Revision"/>),
    /// possibly with repeats; null when the journal no longer reaches back that far (or the revision is not this
    /// state's): the reader must look at everything. Lets a compiler's cost follow what changed (a policy change at
    /// 10,000 policies must not visit the other 9,999). Only <see cref="Apply(DataplaneUpdate)"/> journals.
    /// </summary>
    public IReadOnlyList<DataplaneStateChange>? ChangesSince(long revision)
    {
        if (revision < _journalStart || revision > Revision)
        {
            return null;
        }

        return _journal.GetRange((int)(revision - _journalStart), (int)(Revision - revision));
    }

    private void Journal(DataplaneStateChange change)
    {
        if (_journal.Count >= 2 * JournalLength)
        {
            _journal.RemoveRange(0, JournalLength);
            _journalStart += JournalLength;
        }

        _journal.Add(change);
    }

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
                Journal(new DataplaneStateChange(p.Key, null));
                break;
            case ActivePolicyRemove p:
                Policies.Remove(p.Key);
                Journal(new DataplaneStateChange(p.Key, null));
                break;
            case ActiveProfileUpdate p:
                Profiles[p.Id] = p.Profile;
                Journal(new DataplaneStateChange(null, p.Id));
                break;
            case ActiveProfileRemove p:
                Profiles.Remove(p.Id);
                Journal(new DataplaneStateChange(null, p.Id));
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

/// <summary>One journal entry of <see cref="DataplaneState.ChangesSince"/>: a policy (by key) or a profile (by id) updated or removed.</summary>
public readonly record struct DataplaneStateChange(PolicyKey? Policy, string? Profile);
