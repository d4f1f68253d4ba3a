namespace Calico.Linux.Netlink;

/// <summary>
/// A veth pair to create in one request; the peer may be created directly in another namespace. Both ends start
/// down: the kernel refuses IFF_UP in the creating request (ENOTCONN, the peer is not registered yet).
/// </summary>
public sealed record VethSpec(string Name, string PeerName)
{
    /// <summary>0 = the kernel default; applies to both ends.</summary>
    public int Mtu { get; init; }

    /// <summary>Six bytes, or null for a random address.</summary>
    public byte[]? Mac { get; init; }

    public byte[]? PeerMac { get; init; }

    /// <summary>Namespace file for the peer (IFLA_NET_NS_FD inside VETH_INFO_PEER); null = the socket's namespace.</summary>
    public string? PeerNetnsPath { get; init; }
}
