namespace Calico.Felix.Dataplane.Nftables;

/// <summary>
/// How a plan was written: <paramref name="Sink"/> is <c>netlink</c>, <c>nft -f</c> or <c>memory</c>;
/// <paramref name="FallbackReason"/> says why netlink was not used (null when it was, or not tried).
/// </summary>
public sealed record NftWriteResult(string Sink, string? FallbackReason, int Steps, int ScriptLength, TimeSpan Duration);
