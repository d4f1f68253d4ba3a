using System.Collections.Immutable;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// One compilation's state: the IP sets it uses (by id), its issues, and each policy's and profile's rules compiled once
/// (or taken from the <see cref="BpfCompileCache"/> when their intent object is the one they were compiled from).
/// </summary>
internal sealed class CompileContext(DataplaneState state, BpfIdAllocator setIds, BpfCompileCache cache)
{
    private readonly Dictionary<(PolicyKey, bool), List<FlatRule>> _policies = [];
    private readonly Dictionary<(string, bool), List<FlatRule>> _profiles = [];

    /// <summary>While a fragment compiles: the sets it asks for, in order (null: not recording).</summary>
    private List<SetUse>? _recording;

    /// <summary>A fragment that read a named-port set's members depends on them: not cached.</summary>
    private bool _readMembers;

    public DataplaneState State { get; } = state;

    public Dictionary<uint, BpfIpSet> Sets { get; } = [];

    public Dictionary<uint, BpfRuleRun> Runs { get; } = [];

    public Dictionary<uint, BpfPortSet> PortSets { get; } = [];

    /// <summary>IP sets, runs and port sets draw their ids from this one allocator (different maps: no clash).</summary>
    public BpfIdAllocator SetIds { get; } = setIds;

    public BpfCompileCache Cache { get; } = cache;

    public List<BpfCompileIssue> Issues { get; } = [];

    public int FragmentsCompiled { get; private set; }

    public int FragmentsReused { get; private set; }

    public List<FlatRule> PolicyFragment(PolicyKey key, PolicyIntent policy, bool inbound)
    {
        if (!_policies.TryGetValue((key, inbound), out List<FlatRule>? fragment))
        {
            fragment = Fragment(Cache.Policies, (key, inbound), policy, inbound ? policy.InboundRules : policy.OutboundRules, FlatRuleOriginKind.PolicyRule, key.Kind + " " + key, inbound);
            _policies.Add((key, inbound), fragment);
        }

        return fragment;
    }

    public List<FlatRule> ProfileFragment(string id, ProfileIntent profile, bool inbound)
    {
        if (!_profiles.TryGetValue((id, inbound), out List<FlatRule>? fragment))
        {
            fragment = Fragment(Cache.Profiles, (id, inbound), profile, inbound ? profile.InboundRules : profile.OutboundRules, FlatRuleOriginKind.ProfileRule, id, inbound);
            _profiles.Add((id, inbound), fragment);
        }

        return fragment;
    }

    /// <summary>
    /// The cached fragment when it was compiled from this very <paramref name="source"/> and every set it named still
    /// has its id (its sets and issues replayed as compiling it would add them); else compiled, and cached.
    /// </summary>
    private List<FlatRule> Fragment<TKey>(Dictionary<TKey, CachedFragment> cache, TKey key, object source, IReadOnlyList<RuleModel> rules, FlatRuleOriginKind kind, string origin, bool inbound)
        where TKey : notnull
    {
        if (cache.TryGetValue(key, out CachedFragment? cached) && ReferenceEquals(cached.Source, source) && Replay(cached))
        {
            cached.LastUsed = Cache.Generation;
            FragmentsReused++;
            return cached.Rules;
        }

        int issues = Issues.Count;
        var uses = new List<SetUse>();
        _recording = uses;
        _readMembers = false;
        List<FlatRule> fragment;
        try
        {
            fragment = RuleCompiler.Compile(this, rules, kind, origin, inbound);
        }
        finally
        {
            _recording = null;
        }

        FragmentsCompiled++;
        if (_readMembers)
        {
            cache.Remove(key);
        }
        else
        {
            cache[key] = new CachedFragment(source, fragment, uses, [.. Issues.Skip(issues)]) { LastUsed = Cache.Generation };
        }

        return fragment;
    }

    /// <summary>Checks every id first (nothing allocated when one is gone), then adds the sets and issues.</summary>
    private bool Replay(CachedFragment cached)
    {
        foreach (SetUse use in cached.Uses)
        {
            string contentKey = use.Nets?.ContentKey ?? "ipset:" + use.NamedSetId;
            if (!SetIds.TryGet(contentKey, out uint id) || (use.Nets is { } nets && nets.Id != id))
            {
                return false;
            }
        }

        foreach (SetUse use in cached.Uses)
        {
            if (use.Nets is { } nets)
            {
                Sets.TryAdd(nets.Id, nets);
            }
            else
            {
                NamedSet(use.NamedSetId!);
            }
        }

        Issues.AddRange(cached.Issues);
        return true;
    }

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

        _recording?.Add(new SetUse(set, null));
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
            var members = new SortedSet<IpSetMember>(IpSetMember.Order);
            foreach (string member in set.Members)
            {
                members.Add(IpSetMember.Parse(member));
            }

            Sets.Add(id, new BpfIpSet(id, contentKey, ipSetId, [.. members]));
        }

        _recording?.Add(new SetUse(null, ipSetId));
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
