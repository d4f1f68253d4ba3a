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
        IReadOnlyList<BpfCompileIssue> issues)
    {
        Endpoints = endpoints;
        Tables = tables;
        IpSets = ipSets;
        Issues = issues;
    }

    public IReadOnlyDictionary<string, BpfEndpointEntry> Endpoints { get; }

    public IReadOnlyDictionary<uint, BpfRuleTable> Tables { get; }

    public IReadOnlyDictionary<uint, BpfIpSet> IpSets { get; }

    /// <summary>Rules or endpoints the datapath cannot express yet, each with what was done instead (never widened).</summary>
    public IReadOnlyList<BpfCompileIssue> Issues { get; }
}

/// <summary>One endpoint's entry (struct cali_ep_value) before its interface is resolved to an ifindex.</summary>
public sealed record BpfEndpointEntry(string InterfaceName, EndpointKey Key, uint Flags, uint IngressTable, uint EgressTable, EndpointToHostAction ToHostAction);

/// <summary>One rule table: its id, the content key the id was allocated for, and its rules in evaluation order.</summary>
public sealed record BpfRuleTable(uint Id, string ContentKey, ImmutableArray<FlatRule> Rules);

/// <summary>One IP set of the trie: a named set of the state (<see cref="IpSetId"/>) or a rule's nets (null).</summary>
public sealed record BpfIpSet(uint Id, string ContentKey, string? IpSetId, ImmutableArray<IpSetMember> Members);

/// <summary>Something the compiler could not express, where, and what it did instead.</summary>
public sealed record BpfCompileIssue(string Where, string Reason)
{
    public override string ToString() => Where + ": " + Reason;
}

/// <summary>Felix settings the compiler honours.</summary>
public sealed record BpfCompileOptions
{
    public EndpointToHostAction DefaultEndpointToHostAction { get; init; } = EndpointToHostAction.Drop;
}
