namespace Calico.Bird.Rendering;

/// <summary>
/// A peering a BGPPeer asks for, before it is resolved against this node (upstream's <c>backends.BGPPeer</c>, the
/// value confd keeps under <c>/calico/bgp/v1/{global,host/&lt;node&gt;}/peer_v4</c>).
/// </summary>
internal sealed record PeerCandidate(string Ip, IpFamily Family, uint AsNumber)
{
    public ushort Port { get; init; }

    public uint? LocalAsNumber { get; init; }

    /// <summary><c>UseNodeIP</c> (source address = this node's IP) or <c>None</c>.</summary>
    public string SourceAddressMode { get; init; } = "UseNodeIP";

    public byte TtlSecurityHops { get; init; }

    public string? Password { get; init; }

    public int? RestartSeconds { get; init; }

    public int? KeepaliveSeconds { get; init; }

    public string? NextHopMode { get; init; }

    public bool KeepOriginalNextHop { get; init; }

    public int NumAllowedLocalAs { get; init; }

    /// <summary>The peer is a Calico node (decides passive side for global peerings).</summary>
    public bool IsCalicoNode { get; init; }

    public string? RouteReflectorClusterId { get; init; }

    public string? ReachableBy { get; init; }

    /// <summary>The BGPPeer's <c>spec.filters</c>.</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];
}
