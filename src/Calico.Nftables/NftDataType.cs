namespace Calico.Nftables;

/// <summary>nft's datatypes a set key or map value can have here.</summary>
public enum NftDataType
{
    Ipv4Addr,
    Ipv6Addr,
    InetProto,
    InetService,
    Ifname,
    Verdict,
}
