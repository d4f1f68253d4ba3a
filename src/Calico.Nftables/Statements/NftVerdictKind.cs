namespace Calico.Nftables;

public enum NftVerdictKind
{
    Accept,
    Drop,
    Return,
    Jump,
    Goto,
}
