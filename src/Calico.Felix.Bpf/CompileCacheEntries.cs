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

    public List<(uint Set, ImmutableArray<IpSetMember> Members)> RunReads { get; } = [];

    public bool Merged { get; set; }

    public int LastUsed { get; set; }
}
