namespace Calico.Bird.Rendering;

/// <summary>One <c>protocol bgp</c> block: a resolved session from this node to one neighbour.</summary>
internal sealed record BirdPeering(string Name, PeeringKind Kind, IpFamily Family, string Ip, uint AsNumber)
{
    public ushort? Port { get; init; }

    public uint? LocalAsNumber { get; init; }

    public string? SourceAddress { get; init; }

    /// <summary>GTSM hop count; null renders <c>ttl security off; multihop;</c>.</summary>
    public byte? TtlSecurityHops { get; init; }

    public bool Passive { get; init; }

    public int? GracefulRestartSeconds { get; init; }

    public int? KeepaliveSeconds { get; init; }

    /// <summary>Set when this node reflects routes to the peer (<c>rr client; rr cluster id</c>).</summary>
    public string? ReflectorClusterId { get; init; }

    public string? Password { get; init; }

    public bool NextHopSelf { get; init; }

    public bool NextHopKeep { get; init; }

    public int? AllowLocalAs { get; init; }

    /// <summary>Gateway the peer is reachable by: rendered as a static <c>/32</c> (or <c>/128</c>) route.</summary>
    public string? ReachableBy { get; init; }

    /// <summary>The BGPFilters the BGPPeer lists (<c>spec.filters</c>), in its order; none for the mesh.</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>The filter functions this session's import and export filters run (from <see cref="Filters"/>).</summary>
    public BgpFilterCalls FilterCalls { get; init; } = BgpFilterCalls.None;
}
