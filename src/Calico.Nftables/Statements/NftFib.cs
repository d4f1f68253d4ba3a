using System.Text;

namespace Calico.Nftables;

/// <summary>
/// <c>fib saddr|daddr [. iif] [. mark] oif exists|missing</c>: a route lookup whose output interface is only tested
/// for presence (the reverse-path check <c>fib saddr . iif oif missing</c>).
/// </summary>
public sealed class NftFib : NftStatement
{
    public NftFib(NftFibFlags flags, bool exists)
    {
        bool saddr = (flags & NftFibFlags.Saddr) != 0;
        bool daddr = (flags & NftFibFlags.Daddr) != 0;
        if (saddr == daddr || (flags & NftFibFlags.Oif) != 0)
        {
            throw new ArgumentException("fib takes saddr or daddr, optionally iif and mark", nameof(flags));
        }

        Flags = flags;
        Exists = exists;
    }

    public NftFibFlags Flags { get; }

    /// <summary>True for <c>oif exists</c>, false for <c>oif missing</c>.</summary>
    public bool Exists { get; }

    internal override void WriteTo(StringBuilder sb)
    {
        sb.Append((Flags & NftFibFlags.Saddr) != 0 ? "fib saddr" : "fib daddr");
        if ((Flags & NftFibFlags.Iif) != 0)
        {
            sb.Append(" . iif");
        }

        if ((Flags & NftFibFlags.Mark) != 0)
        {
            sb.Append(" . mark");
        }

        sb.Append(Exists ? " oif exists" : " oif missing");
    }
}
