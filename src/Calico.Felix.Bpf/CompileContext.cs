using System.Collections.Immutable;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// One compilation's state: the IP sets it uses (by id), its issues, and each policy's and profile's rules compiled once
/// (or taken from the <see cref="BpfCompileCache"/> when their intent object is the one they were compiled from).
/// </summary>
internal sealed class CompileContext(DataplaneState state, BpfIdAllocator setIds, BpfCompileCache cache)
{
    /// <summary>
    /// Fragments whose sets and issues this compilation holds already (compiled or replayed once: by reference). Sized
    /// as the last compilation's when every place is walked; grown as needed when only what changed is (a few).
    /// </summary>
    private HashSet<CachedFragment>? _emitted;

    private HashSet<CachedFragment> Emitted => _emitted ??= new(ChangedPolicies is null ? Cache.LastFragmentCount : 0, ReferenceEqualityComparer.Instance);

    /// <summary>While a fragment compiles: the sets it asks for, in order (null: not recording).</summary>
    private List<SetUse>? _recording;

    /// <summary>A fragment that read a named-port set's members depends on them: reused within its compilation only.</summary>
    private bool _readMembers;

    public DataplaneState State { get; } = state;

    /// <summary>Sized as the last compilation's (a 10,000-policy state holds thousands: no rehashing on the way).</summary>
    public Dictionary<uint, BpfIpSet> Sets { get; } = new(cache.LastSetCount);

    public Dictionary<uint, BpfRuleRun> Runs { get; } = [];

    public Dictionary<uint, BpfPortSet> PortSets { get; } = [];

    /// <summary>IP sets, runs and port sets draw their ids from this one allocator (different maps: no clash).</summary>
    public BpfIdAllocator SetIds { get; } = setIds;

    public BpfCompileCache Cache { get; } = cache;

    public List<BpfCompileIssue> Issues { get; } = [];

    /// <summary>
    /// The policies and profiles changed since the cache's last compilation of this very state (its journal), or null
    /// when that is unknown (every table's places are then walked).
    /// </summary>
    public HashSet<PolicyKey>? ChangedPolicies { get; init; }

    public HashSet<string>? ChangedProfiles { get; init; }

    /// <summary>Whether a table took its fragments from what changed (<see cref="ReplayUses"/>): those fragments are not stamped as used.</summary>
    public bool ChangeDriven { get; private set; }

    public int FragmentsCompiled { get; private set; }

    public int FragmentsReused { get; private set; }

    /// <summary>Merged runs whose entries this compilation built, and those it took from the cache.</summary>
    public int RunsBuilt { get; set; }

    public int RunsReused { get; set; }

    /// <summary>Chunks a table's merge took from its last merge (<see cref="MergeMemo"/>).</summary>
    public int ChunksKept { get; set; }

    /// <summary>Tables whose fragments came from what changed, and tables whose linear rules were patched.</summary>
    public int TablesFromChanges { get; set; }

    public int TablesPatched { get; set; }

    /// <summary>
    /// The policy's fragment for this direction: <paramref name="hint"/> (what the table held at this place) when it was
    /// compiled from this very intent object, else the cached one, else compiled (and cached).
    /// </summary>
    public CachedFragment PolicyFragment(PolicyKey key, PolicyIntent policy, bool inbound, CachedFragment? hint = null)
    {
        IReadOnlyList<RuleModel> rules = inbound ? policy.InboundRules : policy.OutboundRules;
        return hint is not null && ReferenceEquals(hint.Source, rules) && Use(hint)
            ? hint
            : Fragment(Cache.Policies, (key, inbound), rules, FlatRuleOriginKind.PolicyRule, key, inbound);
    }

    public CachedFragment ProfileFragment(string id, ProfileIntent profile, bool inbound, CachedFragment? hint = null)
    {
        IReadOnlyList<RuleModel> rules = inbound ? profile.InboundRules : profile.OutboundRules;
        return hint is not null && ReferenceEquals(hint.Source, rules) && Use(hint)
            ? hint
            : Fragment(Cache.Profiles, (id, inbound), rules, FlatRuleOriginKind.ProfileRule, id, inbound);
    }

    /// <summary>
    /// The cached fragment when it was compiled from this very rule list (the intent's, for this direction: a change to
    /// the other direction's rules keeps it) and every set it named still
    /// has its id (its sets and issues replayed as compiling it would add them, once per compilation); else compiled,
    /// and cached.
    /// </summary>
    /// <param name="name">The origin's name: a profile id, or a policy key (named "kind key", built only when compiling).</param>
    private CachedFragment Fragment<TKey>(Dictionary<TKey, CachedFragment> cache, TKey key, IReadOnlyList<RuleModel> rules, FlatRuleOriginKind kind, object name, bool inbound)
        where TKey : notnull
    {
        if (cache.TryGetValue(key, out CachedFragment? cached) && ReferenceEquals(cached.Source, rules) && Use(cached))
        {
            return cached;
        }

        int issues = Issues.Count;
        var uses = new List<SetUse>();
        _recording = uses;
        _readMembers = false;
        List<FlatRule> fragment;
        try
        {
            string origin = name is PolicyKey policyKey ? policyKey.Kind + " " + policyKey : (string)name;
            fragment = RuleCompiler.Compile(this, rules, kind, origin, inbound);
        }
        finally
        {
            _recording = null;
        }

        FragmentsCompiled++;
        var compiled = new CachedFragment(rules, fragment, uses, [.. Issues.Skip(issues)])
        {
            LastUsed = Cache.Generation,
            CompiledIn = Cache.Generation,
            ReadMembers = _readMembers,
        };
        cache[key] = compiled;
        Emitted.Add(compiled);
        return compiled;
    }

    /// <summary>Takes a cached fragment into this compilation (its sets and issues, once); false when it no longer holds.</summary>
    private bool Use(CachedFragment cached)
    {
        if (Emitted.Contains(cached))
        {
            return true;
        }

        if (cached.ReadMembers && cached.CompiledIn != Cache.Generation)
        {
            return false; // it read members that may have changed since
        }

        if (!Replay(cached))
        {
            return false;
        }

        Emitted.Add(cached);
        cached.LastUsed = Cache.Generation;
        FragmentsReused++;
        return true;
    }

    /// <summary>
    /// Checks every id first (nothing allocated when one is gone), then adds the sets and issues. A set this
    /// compilation already holds under the same id and key was checked (and, if named, built) already.
    /// </summary>
    private bool Replay(CachedFragment cached)
    {
        if (!Cache.IdsChecked)
        {
            foreach (SetUse use in cached.Uses)
            {
                if (!Known(use) && (!SetIds.TryGet(use.ContentKey, out uint id) || id != use.Id))
                {
                    return false;
                }
            }
        }

        // An id names one content key (ids are never reused): an id held already is this very set.
        foreach (SetUse use in cached.Uses)
        {
            if (use.Nets is { } nets)
            {
                Sets.TryAdd(nets.Id, nets);
            }
            else if (!Sets.ContainsKey(use.Id))
            {
                NamedSet(use.NamedSetId!);
            }
        }

        if (cached.Issues.Length > 0)
        {
            Issues.AddRange(cached.Issues);
        }

        return true;
    }

    /// <summary>
    /// Adds a table's sets (its fragments' uses together, ids known to hold: <see cref="BpfCompileCache.IdsChecked"/>)
    /// as replaying each of its <paramref name="unchanged"/> unchanged fragments would.
    /// </summary>
    public void ReplayUses(FragmentUses uses, int unchanged)
    {
        foreach (var (id, (use, _)) in uses.Sets)
        {
            if (use.Nets is { } nets)
            {
                Sets.TryAdd(id, nets);
            }
            else if (!Sets.ContainsKey(id))
            {
                NamedSet(use.NamedSetId!);
            }
        }

        FragmentsReused += unchanged;
        TablesFromChanges++;
        ChangeDriven = true;
    }

    private bool Known(SetUse use) => Sets.TryGetValue(use.Id, out BpfIpSet? held) && string.Equals(held.ContentKey, use.ContentKey, StringComparison.Ordinal);

    /// <summary>The trie set of a rule's nets (shared by every rule with the same nets).</summary>
    public uint NetsSet(IReadOnlyList<string> nets)
    {
        var members = new SortedSet<IpSetMember>(IpSetMember.Order);
        foreach (string net in nets)
        {
            members.Add(IpSetMember.Parse(net));
        }

        string contentKey = "nets:" + string.Join(',', members);
        uint id = SetIds.IdFor(contentKey);
        if (!Sets.TryGetValue(id, out BpfIpSet? set))
        {
            set = new BpfIpSet(id, contentKey, null, [.. members]);
            Sets.Add(id, set);
        }

        _recording?.Add(new SetUse(set, null, contentKey, id));
        return id;
    }

    /// <summary>The trie set of one of the state's IP sets (the graph promised it before the rule: missing is a contract violation, as in nft).</summary>
    public uint NamedSet(string ipSetId)
    {
        if (!State.IpSets.TryGetValue(ipSetId, out var set))
        {
            throw new InvalidOperationException($"rule references IP set {ipSetId}, which the dataplane state does not hold");
        }

        if (set.Type != IpSetType.Net)
        {
            throw new InvalidOperationException($"rule uses IP set {ipSetId} of type {set.Type} where {IpSetType.Net} is needed");
        }

        string contentKey = "ipset:" + ipSetId;
        uint id = SetIds.IdFor(contentKey);
        if (!Sets.ContainsKey(id))
        {
            // The last compilation's set when this very state says its members did not change since (its version):
            // not parsed again, and its members array is the same object (what merged runs compare first).
            long version = State.IpSetVersion(ipSetId);
            if (version != 0 && ReferenceEquals(Cache.LastState, State) && Cache.NamedSets.TryGetValue(ipSetId, out CachedNamedSet? held)
                && held.Version == version && held.Set.Id == id)
            {
                held.LastUsed = Cache.Generation;
                Sets.Add(id, held.Set);
            }
            else
            {
                var members = new SortedSet<IpSetMember>(IpSetMember.Order);
                foreach (string member in set.Members)
                {
                    members.Add(IpSetMember.Parse(member));
                }

                var built = new BpfIpSet(id, contentKey, ipSetId, [.. members]);
                Sets.Add(id, built);
                Cache.NamedSets[ipSetId] = new CachedNamedSet(built, version) { LastUsed = Cache.Generation };
            }
        }

        _recording?.Add(new SetUse(null, ipSetId, contentKey, id));
        return id;
    }

    /// <summary>
    /// A named-port IP set ("ip,protocol:port" members) as groups by (protocol, port), each with a trie set of its
    /// addresses: "(ip, protocol, port) in S" is the OR over groups of "protocol and port match and the address is in
    /// the group's set". A group's set is named by identity (set and group), so members coming and going are deltas; a
    /// group appearing or going changes the rules that read it, so the table.
    /// </summary>
    public List<(byte Protocol, ushort Port, uint Set)> NamedPortGroups(string ipSetId)
    {
        if (!State.IpSets.TryGetValue(ipSetId, out var set))
        {
            throw new InvalidOperationException($"rule references IP set {ipSetId}, which the dataplane state does not hold");
        }

        if (set.Type != IpSetType.IpPort)
        {
            throw new InvalidOperationException($"rule uses IP set {ipSetId} of type {set.Type} where {IpSetType.IpPort} is needed");
        }

        _readMembers = true;
        var groups = new SortedDictionary<(byte, ushort), SortedSet<IpSetMember>>();
        foreach (string member in set.Members)
        {
            // "10.0.0.1,tcp:80" / "fd00::1,udp:53"
            int comma = member.IndexOf(',', StringComparison.Ordinal);
            int colon = member.LastIndexOf(':');
            if (comma < 0 || colon < comma)
            {
                throw new InvalidOperationException($"IP set {ipSetId}: member '{member}' is not ip,protocol:port");
            }

            byte protocol = member[(comma + 1)..colon] switch
            {
                "tcp" => 6,
                "udp" => 17,
                "sctp" => 132,
                "udplite" => 136,
                var other => throw new InvalidOperationException($"IP set {ipSetId}: member '{member}' has protocol '{other}'"),
            };
            ushort port = ushort.Parse(member.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
            string address = member[..comma];
            IpSetMember net = IpSetMember.Parse(address.Contains('/', StringComparison.Ordinal) ? address : address + (address.Contains(':', StringComparison.Ordinal) ? "/128" : "/32"));
            if (!groups.TryGetValue((protocol, port), out var members))
            {
                groups[(protocol, port)] = members = new SortedSet<IpSetMember>(IpSetMember.Order);
            }

            members.Add(net);
        }

        var result = new List<(byte, ushort, uint)>(groups.Count);
        foreach (var ((protocol, port), members) in groups)
        {
            string contentKey = FormattableString.Invariant($"ipport:{ipSetId}|{protocol}:{port}");
            uint id = SetIds.IdFor(contentKey);
            if (!Sets.ContainsKey(id))
            {
                Sets.Add(id, new BpfIpSet(id, contentKey, ipSetId, [.. members]));
            }

            result.Add((protocol, port, id));
        }

        return result;
    }

    /// <summary>The port set of these disjoint sorted ranges (by content: the same ranges, the same id).</summary>
    public uint PortSet(IReadOnlyList<PortRange> ranges)
    {
        string contentKey = "ports:" + string.Join(',', ranges);
        uint id = SetIds.IdFor(contentKey);
        if (!PortSets.ContainsKey(id))
        {
            PortSets.Add(id, new BpfPortSet(id, contentKey, [.. ranges]));
        }

        return id;
    }

    public static ImmutableArray<T> Chunk<T>(IReadOnlyList<T> items, int start, int size)
    {
        var builder = ImmutableArray.CreateBuilder<T>(Math.Min(size, items.Count - start));
        for (int i = start; i < items.Count && i < start + size; i++)
        {
            builder.Add(items[i]);
        }

        return builder.MoveToImmutable();
    }
}
