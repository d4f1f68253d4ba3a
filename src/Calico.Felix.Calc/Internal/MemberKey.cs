namespace Calico.Felix.Calc.Internal;

internal enum MemberKind
{
    WorkloadEndpoint,
    HostEndpoint,
    NetworkSet,
    GlobalNetworkSet,
}

/// <summary>Anything that can be an IP set member source: an endpoint (local or remote) or a network set.</summary>
internal readonly record struct MemberKey(MemberKind Kind, string? Namespace, string Name);

/// <summary>A named port of an endpoint, protocol lower case.</summary>
internal readonly record struct NamedPort(string Name, string Protocol, int Port);

/// <summary>What a member source contributes: CIDRs to selector sets, (address, named port) pairs to named-port sets.</summary>
internal sealed record MemberData(IReadOnlyList<string> Nets, IReadOnlyList<string> Addresses, IReadOnlyList<NamedPort> Ports);
