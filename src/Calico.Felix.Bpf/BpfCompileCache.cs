using System.Collections.Immutable;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// What earlier compilations built, kept so that the next one compiles only what changed (a one-rule change at 10,000
/// policies must not recompile every policy and table). Entries are keyed by what they were compiled from, compared by
/// reference: the calculation graph replaces a policy's or profile's rule lists and an endpoint's intent object when
/// they change, never mutates them. IP set members are mutated in place, so what depends on them (merged runs' entries) is compared by
/// value. Ids are never cached blindly: every id a reused entry names must still be the allocators' id for its content
/// key (checked without allocating), else the entry is rebuilt, so a cached compilation allocates exactly the ids a
/// from-scratch one would. Entries not used by a compilation are dropped at its end. One instance per applier; drop it
/// (<see cref="Clear"/> or a new instance) whenever the allocators are replaced or the kernel is resynced in full.
/// </summary>
public sealed class BpfCompileCache
{
    internal Dictionary<(PolicyKey Key, bool Inbound), CachedFragment> Policies { get; } = [];

    internal Dictionary<(string Id, bool Inbound), CachedFragment> Profiles { get; } = [];

    internal Dictionary<string, CachedTable> Tables { get; } = new(StringComparer.Ordinal);

    internal Dictionary<EndpointKey, CachedSignatures> Signatures { get; } = [];

    /// <summary>Merged runs by definition (content key), with what their entries were built from.</summary>
    internal Dictionary<string, CachedRun> Runs { get; } = new(StringComparer.Ordinal);

    /// <summary>A simple rule's part of its run's definition (a hash of its description), by rule object (kept as long as the rule lives).</summary>
    internal System.Runtime.CompilerServices.ConditionalWeakTable<FlatRule, System.Runtime.CompilerServices.StrongBox<UInt128>> Descriptors { get; } = [];

    internal BpfCompileOptions? Options { get; set; }

    internal BpfIdAllocator? TableIds { get; set; }

    internal BpfIdAllocator? SetIds { get; set; }

    internal int Generation { get; private set; }

    /// <summary>How many sets and fragments the last compilation held (to size the next one's tables).</summary>
    internal int LastSetCount { get; set; }

    internal int LastFragmentCount { get; set; }

    /// <summary>What the last compilation reused and rebuilt (for tests and the log; counts of policies/profiles × direction and of tables).</summary>
    public BpfCompileCacheStats LastCompile { get; internal set; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Forgets everything: the next compilation builds every fragment and table again.</summary>
    public void Clear()
    {
        Policies.Clear();
        Profiles.Clear();
        Tables.Clear();
        Signatures.Clear();
        Runs.Clear();
        Descriptors.Clear();
        Options = null;
        TableIds = null;
        SetIds = null;
        _tablesForgotten = -1;
        _setsForgotten = -1;
    }

    /// <summary>
    /// Starts a compilation: a cache used with other options or allocators than last time starts empty (its ids
    /// would not be theirs).
    /// </summary>
    internal void Begin(BpfCompileOptions options, BpfIdAllocator tableIds, BpfIdAllocator setIds)
    {
        if (Options != options || !ReferenceEquals(TableIds, tableIds) || !ReferenceEquals(SetIds, setIds))
        {
            Clear();
            Options = options;
            TableIds = tableIds;
            SetIds = setIds;
        }

        Generation++;
        IdsChecked = tableIds.Forgotten == _tablesForgotten && setIds.Forgotten == _setsForgotten;
        _tablesForgotten = tableIds.Forgotten;
        _setsForgotten = setIds.Forgotten;
    }

    private long _tablesForgotten = -1;
    private long _setsForgotten = -1;

    /// <summary>
    /// True when no allocator forgot a key since the last compilation began: every id a cached entry names is still
    /// allocated (it was when the entry was made), so reuse skips the one-by-one check.
    /// </summary>
    internal bool IdsChecked { get; private set; }

    /// <summary>Ends a compilation that completed: drops what it did not use (policies gone, tables no endpoint has).</summary>
    internal void Sweep()
    {
        Drop(Policies);
        Drop(Profiles);
        Drop(Tables);
        Drop(Signatures);
        Drop(Runs);
    }

    private void Drop<TKey, TValue>(Dictionary<TKey, TValue> entries)
        where TKey : notnull
        where TValue : ICacheEntry
    {
        List<TKey>? stale = null;
        foreach (var (key, value) in entries)
        {
            if (value.LastUsed != Generation)
            {
                (stale ??= []).Add(key);
            }
        }

        foreach (TKey key in stale ?? [])
        {
            entries.Remove(key);
        }
    }
}

/// <summary>
/// In one compilation: fragments (a policy's or profile's rules in one direction) compiled and reused, tables built
/// (linearised or merged again) and reused whole, merged runs whose entries were built and taken from the cache.
/// </summary>
public sealed record BpfCompileCacheStats(int FragmentsCompiled, int FragmentsReused, int TablesBuilt, int TablesReused, int RunsBuilt, int RunsReused);

internal interface ICacheEntry
{
    int LastUsed { get; set; }
}

/// <summary>
/// One set a fragment's compilation asked for, in order: a rule's nets (<paramref name="Nets"/>, the set itself) or a
/// named set (<paramref name="NamedSetId"/>), with the content key and the id it had.
/// </summary>
internal readonly record struct SetUse(BpfIpSet? Nets, string? NamedSetId, string ContentKey, uint Id);

/// <summary>
/// One policy's or profile's rules for one direction, compiled from <see cref="Source"/> (that direction's rule list): the flat
/// rules, the sets they named (replayed into the next compilation) and the issues reported.
/// </summary>
internal sealed class CachedFragment(object source, List<FlatRule> rules, List<SetUse> uses, BpfCompileIssue[] issues) : ICacheEntry
{
    public object Source { get; } = source;

    public List<FlatRule> Rules { get; } = rules;

    public List<SetUse> Uses { get; } = uses;

    public BpfCompileIssue[] Issues { get; } = issues;

    /// <summary>The compilation (generation) that compiled it.</summary>
    public int CompiledIn { get; init; }

    /// <summary>It read a named-port set's members (mutated in place, not compared): reusable within <see cref="CompiledIn"/> only.</summary>
    public bool ReadMembers { get; init; }

    public int LastUsed { get; set; }
}

/// <summary>A merged run's entries, the port sets they name and the members of the sets they were built from.</summary>
internal sealed class CachedRun(BpfRuleRun run, List<BpfPortSet> portSets, List<(uint Set, ImmutableArray<IpSetMember> Members)> reads) : ICacheEntry
{
    public BpfRuleRun Run { get; } = run;

    public List<BpfPortSet> PortSets { get; } = portSets;

    public List<(uint Set, ImmutableArray<IpSetMember> Members)> Reads { get; } = reads;

    public int LastUsed { get; set; }
}

/// <summary>An endpoint's two signatures, computed from <see cref="Endpoint"/> (the intent object).</summary>
internal sealed class CachedSignatures(EndpointIntent endpoint, string ingress, string egress) : ICacheEntry
{
    public EndpointIntent Endpoint { get; } = endpoint;

    public string Ingress { get; } = ingress;

    public string Egress { get; } = egress;

    public int LastUsed { get; set; }
}

/// <summary>
/// One table by signature: the fragments it was linearised from (by reference, null where a policy or profile was
/// skipped; also the hints that let the next compilation take an unchanged place's fragment without a lookup), the linear rules, and (when runs are merged) the merged rules with what merging read: the runs and port
/// sets it named and the members of every set a run read (a member change rebuilds the runs, maybe the table).
/// </summary>
internal sealed class CachedTable(List<CachedFragment?> fragments, ImmutableArray<FlatRule> linear) : ICacheEntry
{
    public List<CachedFragment?> Fragments { get; set; } = fragments;

    public ImmutableArray<FlatRule> Linear { get; set; } = linear;

    public ImmutableArray<FlatRule> Rules { get; set; }

    public string ContentKey { get; set; } = "";

    public List<BpfRuleRun> Runs { get; } = [];

    public List<BpfPortSet> PortSets { get; } = [];

    public List<(uint Set, ImmutableArray<IpSetMember> Members)> RunReads { get; } = [];

    public bool Merged { get; set; }

    public int LastUsed { get; set; }
}
