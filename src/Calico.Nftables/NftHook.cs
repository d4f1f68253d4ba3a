namespace Calico.Nftables;

/// <summary>The netfilter hooks a base chain of an inet table attaches to.</summary>
public enum NftHook
{
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
}
