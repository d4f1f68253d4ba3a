using System.Collections.Immutable;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Bpf;

/// <summary>What a flat rule does when it matches (<see cref="Next"/>: when it does not). Values are calico_maps.h's CALI_ACT_*.</summary>
public enum FlatAction : byte
{
    /// <summary>Verdict: allow (the program then creates the conntrack entry).</summary>
    Allow = 1,

    /// <summary>Verdict: drop.</summary>
    Deny = 2,

    /// <summary>Count and continue with the next rule (BPF has no NFLOG: the counter is the log for now).</summary>
    Log = 3,

    /// <summary>Continue at <see cref="FlatRule.Jump"/>: a Pass (the next tier's first rule, or the next profile's).</summary>
    Goto = 4,

    /// <summary>Part of a conjunction too wide for one rule: matched, the next rule holds more conditions; not matched, go to <see cref="FlatRule.Jump"/>.</summary>
    Next = 5,
}

/// <summary>Where a flat rule comes from: what a counters or policy dump names.</summary>
public enum FlatRuleOriginKind
{
    PolicyRule,
    ProfileRule,
    EndOfTier,
    NoProfileMatched,

    /// <summary>A merged run of consecutive simple rules (<see cref="FlatRule.Run"/>): Name spans its first and last rule, RuleIndex counts them.</summary>
    MergedRun,

    /// <summary>A rule read back from cali_rules: the map holds what a rule does, not where it came from.</summary>
    ReadFromMap,
}

/// <summary>A flat rule's origin: a policy's or profile's rule (with its index), a tier's end, or the final drop.</summary>
public sealed record FlatRuleOrigin(FlatRuleOriginKind Kind, string Name, int RuleIndex)
{
    public override string ToString() => Kind switch
    {
        FlatRuleOriginKind.PolicyRule => $"policy {Name} rule {RuleIndex}",
        FlatRuleOriginKind.ProfileRule => $"profile {Name} rule {RuleIndex}",
        FlatRuleOriginKind.EndOfTier => $"end of tier {Name}",
        FlatRuleOriginKind.MergedRun => $"merged run of {RuleIndex} rules: {Name}",
        FlatRuleOriginKind.ReadFromMap => "read from cali_rules",
        _ => "no profile matched",
    };
}

/// <summary>
/// One entry of a rule table, as the program reads it (struct cali_rule): every condition ANDed; set lists are ANDed
/// (at most <see cref="BpfMapLayout.RuleSets"/> each), port lists are "one of" (positive) or "none of" (negated), at most
/// <see cref="BpfMapLayout.RulePorts"/> each. Wider rules are split by the compiler (alternatives, <see cref="FlatAction.Next"/> guards).
/// </summary>
public sealed record FlatRule
{
    public FlatAction Action { get; init; }

    /// <summary>0 any, 4 or 6.</summary>
    public byte IpVersion { get; init; }

    public byte? Protocol { get; init; }

    public byte? NotProtocol { get; init; }

    public byte? IcmpType { get; init; }

    public byte? IcmpCode { get; init; }

    public byte? NotIcmpType { get; init; }

    public byte? NotIcmpCode { get; init; }

    public ImmutableArray<uint> SrcSets { get; init; } = [];

    public ImmutableArray<uint> NotSrcSets { get; init; } = [];

    public ImmutableArray<uint> DstSets { get; init; } = [];

    public ImmutableArray<uint> NotDstSets { get; init; } = [];

    public ImmutableArray<PortRange> SrcPorts { get; init; } = [];

    public ImmutableArray<PortRange> NotSrcPorts { get; init; } = [];

    public ImmutableArray<PortRange> DstPorts { get; init; } = [];

    public ImmutableArray<PortRange> NotDstPorts { get; init; } = [];

    /// <summary>
    /// Non-zero: a merged run (<see cref="BpfRuleRun"/>, map cali_runs). The rule then matches when the remote address
    /// (source, or destination with <see cref="RunOnDestination"/>) is in one of the run's rules with its protocol and
    /// destination port: one trie lookup per protocol key instead of a walk over the run. Its other conditions are empty.
    /// </summary>
    public uint Run { get; init; }

    /// <summary>The run's remote address is the destination (egress tables); otherwise the source (ingress tables).</summary>
    public bool RunOnDestination { get; init; }

    /// <summary>The run has any-protocol entries: the program makes its second lookup (protocol key 256) only then.</summary>
    public bool RunAnyProtocol { get; init; }

    /// <summary>Target index of <see cref="FlatAction.Goto"/> and <see cref="FlatAction.Next"/>; always after the rule's own.</summary>
    public uint Jump { get; init; }

    /// <summary>
    /// A <see cref="FlatAction.Goto"/> past its own rule's group, not a Pass: matched, the packet's (address, protocol,
    /// port) is one the rule's negated named ports exclude. Its <see cref="Jump"/> is relative to the fragment, as a
    /// <see cref="FlatAction.Next"/> guard's. The compiler's bookkeeping only: the map holds a Goto.
    /// </summary>
    public bool SkipsGroup { get; init; }

    public required FlatRuleOrigin Origin { get; init; }

    /// <summary>A stable one-line form (tests, dumps, and the table's fingerprint).</summary>
    public string Describe()
    {
        var parts = new List<string>(16) { Action.ToString().ToLowerInvariant() };
        if (Action is FlatAction.Goto or FlatAction.Next)
        {
            parts.Add("->" + Jump.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (Run != 0)
        {
            parts.Add("run=" + Run.ToString(System.Globalization.CultureInfo.InvariantCulture) + (RunOnDestination ? " on dst" : " on src") + (RunAnyProtocol ? " +any-proto" : ""));
        }

        Add(parts, "ipv", IpVersion == 0 ? null : IpVersion);
        Add(parts, "proto", Protocol);
        Add(parts, "!proto", NotProtocol);
        Add(parts, "icmp-type", IcmpType);
        Add(parts, "icmp-code", IcmpCode);
        Add(parts, "!icmp-type", NotIcmpType);
        Add(parts, "!icmp-code", NotIcmpCode);
        AddList(parts, "src-sets", SrcSets);
        AddList(parts, "!src-sets", NotSrcSets);
        AddList(parts, "dst-sets", DstSets);
        AddList(parts, "!dst-sets", NotDstSets);
        AddList(parts, "sport", SrcPorts);
        AddList(parts, "!sport", NotSrcPorts);
        AddList(parts, "dport", DstPorts);
        AddList(parts, "!dport", NotDstPorts);
        parts.Add("(" + Origin + ")");
        return string.Join(' ', parts);
    }

    private static void Add(List<string> parts, string name, byte? value)
    {
        if (value is byte b)
        {
            parts.Add(name + "=" + b.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void AddList<T>(List<string> parts, string name, ImmutableArray<T> values)
    {
        if (!values.IsDefaultOrEmpty)
        {
            parts.Add(name + "=" + string.Join(',', values));
        }
    }
}
