using System.Collections.Immutable;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

// What BpfCompileCache holds: small records of one idea (what a compilation built and what it was built from), kept
// together in one file.
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

    /// <summary>Whether a rule jumps (a Pass, a guard, a rule skipping its group): linearising then moves or patches it.</summary>
    public bool Jumps { get; } = rules.Exists(static r => r.Action is FlatAction.Goto or FlatAction.Next || r.SkipsGroup);

    /// <summary>The compilation (generation) that compiled it.</summary>
    public int CompiledIn { get; init; }

    /// <summary>It read a named-port set's members (mutated in place, not compared): reusable within <see cref="CompiledIn"/> only.</summary>
    public bool ReadMembers { get; init; }

    public int LastUsed { get; set; }
}

/// <summary>
/// A simple rule's hashes: <paramref name="Description"/> (what it admits: its part of a run's definition) and
/// <paramref name="Boundary"/> (description and origin: whether a chunk of a run may end after it).
/// </summary>
internal sealed record RuleHashes(UInt128 Description, ulong Boundary);

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

    public bool Merged { get; set; }

    /// <summary>Each place's first index in <see cref="Linear"/> (null: not known, linearised in full next time).</summary>
    public int[]? PlaceStarts { get; set; }

    /// <summary>Its places by policy and profile (built on the first compilation that knows what changed).</summary>
    public TablePlaces? Places { get; set; }

    /// <summary>Its fragments' sets, issues and member reads together (null: to be counted again from the fragments).</summary>
    public FragmentUses? Uses { get; set; }

    /// <summary>The last merge (null: none, or unmerged), for the next merge of this table after a change to its fragments.</summary>
    public MergeMemo? Memo { get; set; }

    public int LastUsed { get; set; }
}

/// <summary>
/// What one chunk of a merged run became (<see cref="RuleRunMerger"/>): its end in the linear rules, its run rule and
/// run (null: its sets are empty, left out), the run's port sets and the sets it read with their members then (what its
/// entries were built from: a table's merge is reused only while they hold). Reused by the next merge of the
/// same table for a chunk at the same place over the very same rule objects.
/// </summary>
internal sealed record MergedChunk(int Stop, FlatRule? Rule, BpfRuleRun? Run, List<BpfPortSet> PortSets, (uint Set, ImmutableArray<IpSetMember> Members)[] Reads);

/// <summary>
/// What <see cref="RuleRunMerger"/> needs of each linear rule, by index, in arrays read in order: its kind, and for a
/// simple rule its description and boundary hashes (<see cref="RuleHashes"/>).
/// </summary>
internal sealed class RuleFacts(int length)
{
    /// <summary>Neither simple nor a jump: stays a rule of its own.</summary>
    public const byte Other = 0;

    public const byte SimpleAllow = 1;

    public const byte SimpleDeny = 2;

    /// <summary>A Pass or a guard: its target may only start a run.</summary>
    public const byte Jump = 3;

    public byte[] Kinds { get; } = new byte[length];

    public UInt128[] Descriptions { get; } = new UInt128[length];

    public ulong[] Boundaries { get; } = new ulong[length];
}

/// <summary>
/// A table's last merge, for the next one (<see cref="RuleRunMerger.Merge"/>): the linear rules it merged, their facts,
/// its chunks by start and the average chunk length they were cut with. Rules the next linear table shares with this
/// one at its start or its end (same objects: unchanged policies) keep their facts, and a chunk lying wholly in those
/// shares keeps its run rule: a change hashes and merges around itself only.
/// </summary>
internal sealed class MergeMemo(ImmutableArray<FlatRule> linear, RuleFacts facts, Dictionary<int, MergedChunk> chunks, int average)
{
    public ImmutableArray<FlatRule> Linear { get; } = linear;

    public RuleFacts Facts { get; } = facts;

    public Dictionary<int, MergedChunk> Chunks { get; } = chunks;

    public int Average { get; } = average;
}

/// <summary>
/// A table's places by what fills them (indices into its fragment list, in <see cref="BpfPolicyCompiler"/>'s
/// linearisation order): fixed by its signature, so built once per cached table.
/// </summary>
internal sealed class TablePlaces(Dictionary<PolicyKey, List<int>> policies, Dictionary<string, List<int>> profiles)
{
    public Dictionary<PolicyKey, List<int>> Policies { get; } = policies;

    public Dictionary<string, List<int>> Profiles { get; } = profiles;
}

/// <summary>
/// What a table's fragments add to a compilation, all together: every set they name (by id, with how many fragments
/// name it), and how many of them carry issues or read a named-port set's members. Kept up to date as places change,
/// so that a table whose other places are unchanged replays its sets without visiting each fragment.
/// </summary>
internal sealed class FragmentUses
{
    public Dictionary<uint, (SetUse Use, int Count)> Sets { get; } = [];

    /// <summary>Fragments with issues (their order in the plan is the walk's: such a table is walked).</summary>
    public int WithIssues { get; private set; }

    /// <summary>Fragments that read members (recompiled every compilation: such a table is walked).</summary>
    public int ReadingMembers { get; private set; }

    public static FragmentUses Of(List<CachedFragment?> fragments)
    {
        var uses = new FragmentUses();
        foreach (CachedFragment? fragment in fragments)
        {
            uses.Add(fragment);
        }

        return uses;
    }

    public void Add(CachedFragment? fragment) => Count(fragment, 1);

    public void Remove(CachedFragment? fragment) => Count(fragment, -1);

    private void Count(CachedFragment? fragment, int delta)
    {
        if (fragment is null)
        {
            return;
        }

        WithIssues += fragment.Issues.Length > 0 ? delta : 0;
        ReadingMembers += fragment.ReadMembers ? delta : 0;
        foreach (SetUse use in fragment.Uses)
        {
            int count = (Sets.TryGetValue(use.Id, out var held) ? held.Count : 0) + delta;
            if (count == 0)
            {
                Sets.Remove(use.Id);
            }
            else
            {
                Sets[use.Id] = (use, count);
            }
        }
    }
}

/// <summary>A named set's trie set as built from the state's members at <paramref name="Version"/> (<see cref="DataplaneState.IpSetVersion"/>).</summary>
internal sealed class CachedNamedSet(BpfIpSet set, long version) : ICacheEntry
{
    public BpfIpSet Set { get; } = set;

    public long Version { get; } = version;

    public int LastUsed { get; set; }
}
