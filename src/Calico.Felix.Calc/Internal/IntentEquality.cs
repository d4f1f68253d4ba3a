using Calico.Felix.Calc.Model;

namespace Calico.Felix.Calc.Internal;

/// <summary>Structural equality of intents (the model records hold lists, which records compare by reference).</summary>
internal static class IntentEquality
{
    public static bool Equal(PolicyIntent a, PolicyIntent b) =>
        a.PreDnat == b.PreDnat && a.DoNotTrack == b.DoNotTrack && a.ApplyOnForward == b.ApplyOnForward && a.Staged == b.Staged
        && Equal(a.InboundRules, b.InboundRules) && Equal(a.OutboundRules, b.OutboundRules);

    public static bool Equal(ProfileIntent a, ProfileIntent b) =>
        Equal(a.InboundRules, b.InboundRules) && Equal(a.OutboundRules, b.OutboundRules);

    public static bool Equal(EndpointIntent a, EndpointIntent b) =>
        a.Key == b.Key
        && string.Equals(a.InterfaceName, b.InterfaceName, StringComparison.Ordinal)
        && string.Equals(a.Mac, b.Mac, StringComparison.Ordinal)
        && Strings(a.Ipv4Nets, b.Ipv4Nets) && Strings(a.Ipv6Nets, b.Ipv6Nets) && Strings(a.ProfileIds, b.ProfileIds)
        && Strings(a.AllowSpoofedSourcePrefixes, b.AllowSpoofedSourcePrefixes)
        && Same(a.FloatingIps, b.FloatingIps)
        && Equal(a.Tiers, b.Tiers) && Equal(a.ForwardTiers, b.ForwardTiers)
        && Equal(a.PreDnatTiers, b.PreDnatTiers) && Equal(a.UntrackedTiers, b.UntrackedTiers);

    private static bool Equal(IReadOnlyList<TierIntent> a, IReadOnlyList<TierIntent> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i].Name, b[i].Name, StringComparison.Ordinal) || a[i].DefaultAction != b[i].DefaultAction
                || !Keys(a[i].IngressPolicies, b[i].IngressPolicies) || !Keys(a[i].EgressPolicies, b[i].EgressPolicies)
                || !PendingKeys(a[i].PendingIngressPolicies, b[i].PendingIngressPolicies) || !PendingKeys(a[i].PendingEgressPolicies, b[i].PendingEgressPolicies))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Equal(IReadOnlyList<RuleModel> a, IReadOnlyList<RuleModel> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!Equal(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static bool Equal(RuleModel a, RuleModel b) =>
        a.Action == b.Action && a.IpVersion == b.IpVersion && a.Protocol == b.Protocol && a.NotProtocol == b.NotProtocol
        && a.IcmpType == b.IcmpType && a.IcmpCode == b.IcmpCode && a.NotIcmpType == b.NotIcmpType && a.NotIcmpCode == b.NotIcmpCode
        && a.Index == b.Index
        && Strings(a.SrcNets, b.SrcNets) && Strings(a.NotSrcNets, b.NotSrcNets)
        && Strings(a.SrcIpSetIds, b.SrcIpSetIds) && Strings(a.NotSrcIpSetIds, b.NotSrcIpSetIds)
        && Ports(a.SrcPorts, b.SrcPorts) && Ports(a.NotSrcPorts, b.NotSrcPorts)
        && Strings(a.SrcNamedPortIpSetIds, b.SrcNamedPortIpSetIds) && Strings(a.NotSrcNamedPortIpSetIds, b.NotSrcNamedPortIpSetIds)
        && Strings(a.DstNets, b.DstNets) && Strings(a.NotDstNets, b.NotDstNets)
        && Strings(a.DstIpSetIds, b.DstIpSetIds) && Strings(a.NotDstIpSetIds, b.NotDstIpSetIds)
        && Ports(a.DstPorts, b.DstPorts) && Ports(a.NotDstPorts, b.NotDstPorts)
        && Strings(a.DstNamedPortIpSetIds, b.DstNamedPortIpSetIds) && Strings(a.NotDstNamedPortIpSetIds, b.NotDstNamedPortIpSetIds);

    // string's IEquatable is ordinal, which is what IP set ids, nets and names need.
    private static bool Strings(IReadOnlyList<string> a, IReadOnlyList<string> b) => Same(a, b);

    private static bool Keys(IReadOnlyList<PolicyKey> a, IReadOnlyList<PolicyKey> b) => Same(a, b);

    private static bool PendingKeys(IReadOnlyList<PolicyKey>? a, IReadOnlyList<PolicyKey>? b) => a is null || b is null ? a is null && b is null : Same(a, b);

    private static bool Ports(IReadOnlyList<PortRange> a, IReadOnlyList<PortRange> b) => Same(a, b);

    /// <summary>Element-wise equality without LINQ (this runs for every rule on every flush).</summary>
    private static bool Same<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
        where T : IEquatable<T>
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!a[i].Equals(b[i]))
            {
                return false;
            }
        }

        return true;
    }
}
