using System.Collections.Immutable;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>
/// What earlier compilations built, kept so that the next one compiles only what changed (a one-rule change at 10,000
/// policies must not recompile every policy and table). Entries are keyed by what they were compiled from, compared by
/// reference: the calculation graph replaces a policy's, profile's or endpoint's intent object when it changes, never
/// mutates it. IP set members are mutated in place, so what depends on them (merged runs' entries) is compared by
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

    internal BpfCompileOptions? Options { get; set; }

    internal BpfIdAllocator? TableIds { get; set; }

    internal BpfIdAllocator? SetIds { get; set; }

    internal int Generation { get; private set; }

    /// <summary>What the last compilation reused and rebuilt (for tests and the log; counts of policies/profiles × direction and of tables).</summary>
    public BpfCompileCacheStats LastCompile { get; internal set; } = new(0, 0, 0, 0);

    /// <summary>Forgets everything: the next compilation builds every fragment and table again.</summary>
    public void Clear()
    {
        Policies.Clear();
        Profiles.Clear();
        Tables.Clear();
        Signatures.Clear();
        Options = null;
        TableIds = null;
        SetIds = null;
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
    }

    /// <summary>Ends a compilation that completed: drops what it did not use (policies gone, tables no endpoint has).</summary>
    internal void Sweep()
    {
        Drop(Policies);
        Drop(Profiles);
        Drop(Tables);
        Drop(Signatures);
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

/// <summary>Fragments compiled and reused, tables built (linearised or merged again) and reused, in one compilation.</summary>
public sealed record BpfCompileCacheStats(int FragmentsCompiled, int FragmentsReused, int TablesBuilt, int TablesReused);

internal interface ICacheEntry
{
    int LastUsed { get; set; }
}

/// <summary>One set a fragment's compilation asked for, in order: a rule's nets (the set itself) or a named set by id.</summary>
internal readonly record struct SetUse(BpfIpSet? Nets, string? NamedSetId);

/// <summary>
/// One policy's or profile's rules for one direction, compiled from <see cref="Source"/> (the intent object): the flat
/// rules, the sets they named (replayed into the next compilation) and the issues reported.
/// </summary>
internal sealed class CachedFragment(object source, List<FlatRule> rules, List<SetUse> uses, BpfCompileIssue[] issues) : ICacheEntry
{
    public object Source { get; } = source;

    public List<FlatRule> Rules { get; } = rules;

    public List<SetUse> Uses { get; } = uses;

    public BpfCompileIssue[] Issues { get; } = issues;

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
/// skipped), the linear rules, and (when runs are merged) the merged rules with what merging read: the runs and port
/// sets it named and the members of every set a run read (a member change rebuilds the runs, maybe the table).
/// </summary>
internal sealed class CachedTable(List<List<FlatRule>?> fragments, ImmutableArray<FlatRule> linear) : ICacheEntry
{
    public List<List<FlatRule>?> Fragments { get; set; } = fragments;

    public ImmutableArray<FlatRule> Linear { get; set; } = linear;

    public ImmutableArray<FlatRule> Rules { get; set; }

    public string ContentKey { get; set; } = "";

    public List<BpfRuleRun> Runs { get; } = [];

    public List<BpfPortSet> PortSets { get; } = [];

    public List<(uint Set, ImmutableArray<IpSetMember> Members)> RunReads { get; } = [];

    public bool Merged { get; set; }

    public int LastUsed { get; set; }
}
