using System.Text;

namespace Calico.Nftables;

/// <summary>
/// <c>fib daddr type [!=] local</c>: whether the packet's destination is one of this host's own addresses (the route
/// lookup's address type, RTN_LOCAL), as the kernel's local table says.
/// </summary>
public sealed class NftFibLocalDestination : NftStatement
{
    public NftFibLocalDestination(bool negated)
    {
        Negated = negated;
    }

    /// <summary>True for <c>!= local</c>: the destination is not the host's.</summary>
    public bool Negated { get; }

    internal override void WriteTo(StringBuilder sb) => sb.Append(Negated ? "fib daddr type != local" : "fib daddr type local");
}
