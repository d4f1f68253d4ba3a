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

    /// <summary>Named sets by IP set id, with the state's version of their members (valid for <see cref="LastState"/> only).</summary>
    internal Dictionary<string, CachedNamedSet> NamedSets { get; } = new(StringComparer.Ordinal);

    /// <summary>Merged runs by definition (content key), with what their entries were built from.</summary>
    internal Dictionary<string, CachedRun> Runs { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// A simple rule's part of its run's definition (a hash of its description) and its chunk boundary hash, by rule
    /// object (kept as long as the rule lives).
    /// </summary>
    internal System.Runtime.CompilerServices.ConditionalWeakTable<FlatRule, RuleHashes> Descriptors { get; } = [];

    /// <summary>The state the last completed compilation compiled, and its revision then (what its journal is read from).</summary>
    internal DataplaneState? LastState { get; set; }

    internal long LastRevision { get; set; }

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
        NamedSets.Clear();
        Descriptors.Clear();
        Options = null;
        LastState = null;
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

    /// <summary>
    /// Ends a compilation that completed: drops what it did not use (policies gone, tables no endpoint has). When a
    /// table took its fragments from what changed, its unchanged fragments were not stamped: fragments are then dropped
    /// only for policies and profiles the state no longer has (the next walked compilation drops the rest).
    /// </summary>
    internal void Sweep(CompileContext ctx)
    {
        if (ctx.ChangeDriven)
        {
            foreach (PolicyKey key in ctx.ChangedPolicies!)
            {
                if (!ctx.State.Policies.ContainsKey(key))
                {
                    Policies.Remove((key, true));
                    Policies.Remove((key, false));
                }
            }

            foreach (string id in ctx.ChangedProfiles!)
            {
                if (!ctx.State.Profiles.ContainsKey(id))
                {
                    Profiles.Remove((id, true));
                    Profiles.Remove((id, false));
                }
            }
        }
        else
        {
            Drop(Policies);
            Drop(Profiles);
        }

        Drop(Tables);
        Drop(Signatures);
        Drop(Runs);
        Drop(NamedSets);
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
