using Calico.Linux.Interop;

namespace Calico.Linux.Nft;

/// <summary>The checks both netlink writers make on what the caller names: the family and object names.</summary>
internal static class NfTablesNames
{
    public static byte FamilyCode(string family) => family switch
    {
        "inet" => NfNetlink.NFPROTO_INET,
        "ip" => NfNetlink.NFPROTO_IPV4,
        "ip6" => NfNetlink.NFPROTO_IPV6,
        "bridge" => NfNetlink.NFPROTO_BRIDGE,
        "netdev" => NfNetlink.NFPROTO_NETDEV,
        "arp" => NfNetlink.NFPROTO_ARP,
        _ => throw new ArgumentException($"'{family}' is not an nftables family (inet, ip, ip6, bridge, netdev, arp)", nameof(family)),
    };

    /// <summary>NFT_NAME_MAXLEN is 256 including the terminator.</summary>
    public static void Validate(string name, string parameter)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 255 || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a valid nftables table, chain or set name", parameter);
        }
    }
}
