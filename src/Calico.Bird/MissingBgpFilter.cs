namespace Calico.Bird;

/// <summary>A BGPPeer lists a BGPFilter that does not exist; its peerings run without it, as upstream's.</summary>
public sealed record MissingBgpFilter(string PeerName, string FilterName);
