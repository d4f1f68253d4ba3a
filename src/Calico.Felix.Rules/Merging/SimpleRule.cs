using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Merging;

/// <summary>
/// A rule that matches only on the remote address (nets, or one IP set), optionally a protocol and destination
/// ports, with an Allow or Deny action: the only kind a merged lookup can stand for. The remote address is the
/// source for ingress rules and the destination for egress rules; the endpoint's own side must be unconstrained.
/// </summary>
internal sealed class SimpleRule
{
    private SimpleRule(RuleAction action, int family, IReadOnlyList<string>? nets, string? ipSetId, int? protocol, IReadOnlyList<PortRange> ports)
    {
        Action = action;
        Family = family;
        Nets = nets;
        IpSetId = ipSetId;
        Protocol = protocol;
        Ports = ports;
    }

    public RuleAction Action { get; }

    /// <summary>4 or 6 when the rule can only match one family (ipVersion, ICMP protocol), else 0.</summary>
    public int Family { get; }

    /// <summary>Remote nets as given (normalised per family later); null when the rule names none.</summary>
    public IReadOnlyList<string>? Nets { get; }

    /// <summary>The one remote IP set; null when the rule names none.</summary>
    public string? IpSetId { get; }

    public int? Protocol { get; }

    public IReadOnlyList<PortRange> Ports { get; }

    public MergedShape Shape => Ports.Count > 0 ? MergedShape.AddressProtocolPort : Protocol is null ? MergedShape.Address : MergedShape.AddressProtocol;

    /// <summary>
    /// The simple form of <paramref name="rule"/>, or null when it needs its own nft rule (Log, Pass, negations,
    /// named ports, ICMP types, source ports, constraints on the endpoint's side, nets AND a set, several sets).
    /// </summary>
    public static SimpleRule? TryCreate(RuleModel rule, bool inbound)
    {
        if (rule.Action is not (RuleAction.Allow or RuleAction.Deny)
            || rule.NotProtocol is not null || rule.IcmpType is not null || rule.IcmpCode is not null || rule.NotIcmpType is not null || rule.NotIcmpCode is not null
            || rule.NotSrcNets.Count + rule.NotSrcIpSetIds.Count + rule.NotDstNets.Count + rule.NotDstIpSetIds.Count > 0
            || rule.SrcPorts.Count + rule.NotSrcPorts.Count + rule.NotDstPorts.Count > 0
            || rule.SrcNamedPortIpSetIds.Count + rule.NotSrcNamedPortIpSetIds.Count + rule.DstNamedPortIpSetIds.Count + rule.NotDstNamedPortIpSetIds.Count > 0)
        {
            return null;
        }

        IReadOnlyList<string> nets = inbound ? rule.SrcNets : rule.DstNets;
        IReadOnlyList<string> sets = inbound ? rule.SrcIpSetIds : rule.DstIpSetIds;
        int ownSide = inbound ? rule.DstNets.Count + rule.DstIpSetIds.Count : rule.SrcNets.Count + rule.SrcIpSetIds.Count;
        if (ownSide > 0 || sets.Count > 1 || (sets.Count == 1 && nets.Count > 0))
        {
            return null;
        }

        // Ports without a protocol would need a port match on any protocol, which the concatenation cannot say.
        if (rule.DstPorts.Count > 0 && rule.Protocol is null)
        {
            return null;
        }

        int protocolFamily = rule.Protocol switch
        {
            1 => 4,
            58 => 6,
            _ => 0,
        };
        int family = rule.IpVersion ?? protocolFamily;
        if (rule.IpVersion is not null && protocolFamily != 0 && protocolFamily != rule.IpVersion)
        {
            // Matches nothing (as the unmerged renderer renders nothing for it): an empty family keeps it out of every set.
            family = -1;
        }

        return new SimpleRule(rule.Action, family, nets.Count > 0 ? nets : null, sets.Count == 1 ? sets[0] : null, rule.Protocol, rule.DstPorts);
    }

    public bool AppliesTo(int family) => Family == 0 || Family == family;
}
