using Calico.Felix.Calc.Model;
using Calico.Selectors;

namespace Calico.Felix.Calc.Internal;

/// <summary>A policy as the graph keeps it: rewritten selector, sort metadata, rendered rules and their IP sets.</summary>
internal sealed class PolicyData
{
    public required PolicyKey Key { get; init; }

    /// <summary>+infinity when the policy has no order (upstream's default).</summary>
    public required double Order { get; init; }

    public required Selector Selector { get; init; }

    public required bool Ingress { get; init; }

    public required bool Egress { get; init; }

    public required PolicyIntent Intent { get; init; }

    public required IReadOnlyList<IpSetDefinition> IpSets { get; init; }

    /// <summary>Upstream's tie-break string "name/namespace/kind".</summary>
    public string SortName => field ??= $"{Key.Name}/{Key.Namespace}/{Key.Kind}";

    public bool SameSortMetadata(PolicyData other) =>
        Order.Equals(other.Order) && Ingress == other.Ingress && Egress == other.Egress
        && Intent.PreDnat == other.Intent.PreDnat && Intent.DoNotTrack == other.Intent.DoNotTrack
        && Intent.ApplyOnForward == other.Intent.ApplyOnForward;
}

/// <summary>A profile: rendered rules, their IP sets, and the labels it gives to endpoints.</summary>
internal sealed record ProfileData(ProfileIntent Intent, IReadOnlyList<IpSetDefinition> IpSets, IReadOnlyDictionary<string, string> Labels);

internal sealed record TierData(double? Order, RuleAction DefaultAction);

/// <summary>An endpoint's data the graph needs (local or not).</summary>
internal sealed class EndpointData
{
    public required EndpointKey Key { get; init; }

    public required MemberKey MemberKey { get; init; }

    public required bool Local { get; init; }

    public required MemberData Member { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public required IReadOnlyList<string> Profiles { get; init; }

    public required IReadOnlyList<string> Ipv4Nets { get; init; }

    public required IReadOnlyList<string> Ipv6Nets { get; init; }

    public string? InterfaceName { get; init; }

    public string? Mac { get; init; }

    public IReadOnlyList<string> AllowSpoofedSourcePrefixes { get; init; } = [];

    public IReadOnlyList<FloatingIpIntent> FloatingIps { get; init; } = [];
}
