using System.Collections.Immutable;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;

namespace Calico.Felix.Bpf;

/// <summary>
/// What the datapath's maps should hold for one <see cref="DataplaneState"/>: endpoints by interface name (the applier
/// resolves ifindexes), rule tables and IP sets by id, and what could not be expressed.
/// </summary>
public sealed class BpfPolicyPlan
{
    internal BpfPolicyPlan(
        IReadOnlyDictionary<string, BpfEndpointEntry> endpoints,
        IReadOnlyDictionary<uint, BpfRuleTable> tables,
        IReadOnlyDictionary<uint, BpfIpSet> ipSets,
        IReadOnlyDictionary<uint, BpfRuleRun> runs,
        IReadOnlyDictionary<uint, BpfPortSet> portSets,
        IReadOnlyList<BpfCompileIssue> issues)
    {
        Endpoints = endpoints;
        Tables = tables;
        IpSets = ipSets;
        Runs = runs;
        PortSets = portSets;
        Issues = issues;
    }

    public IReadOnlyDictionary<string, BpfEndpointEntry> Endpoints { get; }

    public IReadOnlyDictionary<uint, BpfRuleTable> Tables { get; }

    public IReadOnlyDictionary<uint, BpfIpSet> IpSets { get; }

    /// <summary>Merged rule runs (cali_runs) by id: what the tables' run rules look up.</summary>
    public IReadOnlyDictionary<uint, BpfRuleRun> Runs { get; }

    /// <summary>The port sets the runs' entries point to (cali_run_ports) by id.</summary>
    public IReadOnlyDictionary<uint, BpfPortSet> PortSets { get; }

    /// <summary>
    /// Every content key the set allocator must keep once this plan is applied (IP sets, runs and port sets share it):
    /// pass these to <see cref="BpfIdAllocator.RetainOnly"/>. Retaining fewer is still correct, but a forgotten run gets
    /// a fresh id at the next compilation, and so does every table using it (rewritten in full).
    /// </summary>
    public IReadOnlySet<string> SetContentKeys =>
        IpSets.Values.Select(static s => s.ContentKey).Concat(ReadSets.Values.Select(static s => s.ContentKey)).Concat(Runs.Values.Select(static r => r.ContentKey))
            .Concat(PortSets.Values.Select(static p => p.ContentKey)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Every set the rules named, including those only merged rules named (they live in their runs' entries, not in
    /// <see cref="IpSets"/>): their content keys are retained so that a cached compilation finds their ids and reuses
    /// the fragments naming them (read only when <see cref="SetContentKeys"/> is asked for: a change's compile does not
    /// hash thousands of keys for nothing).
    /// </summary>
    internal IReadOnlyDictionary<uint, BpfIpSet> ReadSets { get; init; } = new Dictionary<uint, BpfIpSet>();

    /// <summary>Rules or endpoints the datapath cannot express yet, each with what was done instead (never widened).</summary>
    public IReadOnlyList<BpfCompileIssue> Issues { get; }
}

/// <summary>One endpoint's entry (struct cali_ep_value) before its interface is resolved to an ifindex.</summary>
public sealed record BpfEndpointEntry(string InterfaceName, EndpointKey Key, uint Flags, uint IngressTable, uint EgressTable, EndpointToHostAction ToHostAction);

/// <summary>One rule table: its id, the content key the id was allocated for, and its rules in evaluation order.</summary>
public sealed record BpfRuleTable(uint Id, string ContentKey, ImmutableArray<FlatRule> Rules)
{
    /// <summary>Whether any rule matches on the source port: the verdict cache then keys on it (CALI_EP_*_SPORT).</summary>
    public bool UsesSourcePorts { get; } = Rules.Any(r => !r.SrcPorts.IsEmpty || !r.NotSrcPorts.IsEmpty);
}

/// <summary>One IP set of the trie: a named set of the state (<see cref="IpSetId"/>) or a rule's nets (null).</summary>
public sealed record BpfIpSet(uint Id, string ContentKey, string? IpSetId, ImmutableArray<IpSetMember> Members);

/// <summary>
/// One entry of a merged run: a prefix of the remote address under one protocol key (0-255, or
/// <see cref="BpfMapLayout.RunAnyProtocol"/>), with the destination ports allowed there (<see cref="PortSet"/>; 0: any,
/// no port needed). Its ports already include those of every prefix of the run containing it (the trie answers with
/// the longest match only, which must answer for all).
/// </summary>
public sealed record BpfRunEntry(ushort Protocol, IpSetMember Prefix, uint PortSet);

/// <summary>
/// A merged run's trie entries. The id is by definition (the rules' sets by content key, protocols, ports), not by
/// members: a named set's membership change is an entry delta on a kept run, as on a kept named set.
/// </summary>
public sealed record BpfRuleRun(uint Id, string ContentKey, ImmutableArray<BpfRunEntry> Entries);

/// <summary>A port set of the runs (disjoint, sorted ranges); its content never changes under its id.</summary>
public sealed record BpfPortSet(uint Id, string ContentKey, ImmutableArray<PortRange> Ranges);

/// <summary>Something the compiler could not express, where, and what it did instead.</summary>
public sealed record BpfCompileIssue(string Where, string Reason)
{
    public override string ToString() => Where + ": " + Reason;
}

/// <summary>Felix settings the compiler honours.</summary>
public sealed record BpfCompileOptions
{
    public EndpointToHostAction DefaultEndpointToHostAction { get; init; } = EndpointToHostAction.Drop;

    /// <summary>Merge runs of consecutive simple rules into one trie lookup each (as nft's MergeRuleRuns); on by default.</summary>
    public bool MergeRuleRuns { get; init; } = true;

    /// <summary>
    /// Cut merged runs into content-defined chunks, one lookup each, so that a change to one rule rewrites about one
    /// chunk's entries rather than the whole run's (<see cref="RuleRunChunker"/>); on by default. Off: one lookup per
    /// run (fewer lookups per new flow, thousands of trie writes per change in a long run).
    /// </summary>
    public bool ChunkRuns { get; init; } = true;

    /// <summary>
    /// The average length of a chunk, a power of two from 4 to 4,096; 0 (the default): chosen by the run's length
    /// (<see cref="RuleRunChunker.AverageLength"/>). For tests that want short runs cut.
    /// </summary>
    public int RunChunkLength { get; init; }
}
