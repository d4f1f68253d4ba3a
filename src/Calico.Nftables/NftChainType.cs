namespace Calico.Nftables;

public enum NftChainType
{
    Filter,
    Nat,
    Route,
}
