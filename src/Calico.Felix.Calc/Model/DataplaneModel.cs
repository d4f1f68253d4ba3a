namespace Calico.Felix.Calc.Model;

public enum IpSetType
{
    /// <summary>Members are CIDRs ("10.0.0.1/32", "198.51.100.0/28", "fd00::1/128").</summary>
    Net,

    /// <summary>Named-port members "ip,protocol:port", e.g. "10.0.0.1,tcp:80" (protocol lower case).</summary>
    IpPort,
}

/// <summary>A policy's identity in the dataplane. Kind is NetworkPolicy (namespaced) or GlobalNetworkPolicy.</summary>
public readonly record struct PolicyKey(string Tier, string Kind, string? Namespace, string Name)
{
    public override string ToString() => Namespace is null ? $"{Tier}/{Name}" : $"{Tier}/{Namespace}/{Name}";
}

/// <summary>Identity of an endpoint: workload endpoints by namespace and name, host endpoints by name (Namespace null).</summary>
public readonly record struct EndpointKey(bool IsHostEndpoint, string? Namespace, string Name)
{
    public override string ToString() => Namespace is null ? Name : $"{Namespace}/{Name}";
}

/// <summary>A policy's rendered rules (inbound = ingress, outbound = egress).</summary>
public sealed record PolicyIntent(IReadOnlyList<RuleModel> InboundRules, IReadOnlyList<RuleModel> OutboundRules)
{
    public bool PreDnat { get; init; }

    public bool DoNotTrack { get; init; }

    public bool ApplyOnForward { get; init; }

    /// <summary>Non-null for a staged policy: never rendered, evaluated only for the pending view.</summary>
    public StagedPolicyInfo? Staged { get; init; }
}

/// <summary>A profile's rendered rules.</summary>
public sealed record ProfileIntent(IReadOnlyList<RuleModel> InboundRules, IReadOnlyList<RuleModel> OutboundRules);

/// <summary>
/// One tier as it applies to one endpoint: the policies that select the endpoint, in evaluation order, per
/// direction. A direction's list is empty when no policy of this tier applies in that direction (the tier is
/// then skipped for that direction). <see cref="DefaultAction"/> is the tier's end-of-tier action (Deny or Pass).
/// The ingress/egress lists hold enforced policies only; the pending lists are the same evaluation with staged
/// policies (null = no staged policy changes this tier: the pending list is the enforced one).
/// </summary>
public sealed record TierIntent(string Name, RuleAction DefaultAction, IReadOnlyList<PolicyKey> IngressPolicies, IReadOnlyList<PolicyKey> EgressPolicies)
{
    /// <summary>
    /// The pending view's ingress policies in evaluation order: staged policies (Set, Learn, Ignore) that select the
    /// endpoint, and the enforced ones no staged policy replaces or deletes. Null when equal to <see cref="IngressPolicies"/>.
    /// </summary>
    public IReadOnlyList<PolicyKey>? PendingIngressPolicies { get; init; }

    /// <summary>As <see cref="PendingIngressPolicies"/>, egress. Null when equal to <see cref="EgressPolicies"/>.</summary>
    public IReadOnlyList<PolicyKey>? PendingEgressPolicies { get; init; }
}

/// <summary>
/// What the dataplane needs for one local endpoint: addresses, interface, the ordered tiers that apply, and the
/// profiles (in listed order) evaluated when no tier decided.
/// </summary>
public sealed record EndpointIntent(
    EndpointKey Key,
    string? InterfaceName,
    IReadOnlyList<string> Ipv4Nets,
    IReadOnlyList<string> Ipv6Nets,
    IReadOnlyList<TierIntent> Tiers,
    IReadOnlyList<string> ProfileIds)
{
    public string? Mac { get; init; }

    /// <summary>
    /// Workload endpoints only: <c>allowSpoofedSourcePrefixes</c>, normalised CIDRs (host bits cleared) the workload may
    /// use as source besides its own addresses. The renderer honours them only when Felix's WorkloadSourceSpoofing is Any.
    /// </summary>
    public IReadOnlyList<string> AllowSpoofedSourcePrefixes { get; init; } = [];

    /// <summary>
    /// Workload endpoints only: <c>ipNATs</c> (floating IPs), valid pairs of one family, in listed order. The dataplane
    /// honours them only when Felix's FloatingIPs is Enabled.
    /// </summary>
    public IReadOnlyList<FloatingIpIntent> FloatingIps { get; init; } = [];

    /// <summary>Host endpoints only: tiers of applyOnForward policies (forwarded traffic).</summary>
    public IReadOnlyList<TierIntent> ForwardTiers { get; init; } = [];

    /// <summary>Host endpoints only: tiers of preDNAT policies.</summary>
    public IReadOnlyList<TierIntent> PreDnatTiers { get; init; } = [];

    /// <summary>Host endpoints only: tiers of doNotTrack policies.</summary>
    public IReadOnlyList<TierIntent> UntrackedTiers { get; init; } = [];
}
