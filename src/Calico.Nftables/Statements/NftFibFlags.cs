namespace Calico.Nftables;

/// <summary>The inputs of a <c>fib</c> route lookup.</summary>
[Flags]
public enum NftFibFlags
{
    None = 0,
    Saddr = 1,
    Daddr = 2,
    Mark = 4,
    Iif = 8,
    Oif = 16,
}
