using System.Text;

namespace Calico.Nftables;

/// <summary>The text shared by the NAT statements: a port range after <c>:</c> and the flags.</summary>
internal static class NftNatText
{
    public static void ValidateFlags(NftNatFlags flags)
    {
        if ((flags & ~(NftNatFlags.Random | NftNatFlags.FullyRandom | NftNatFlags.Persistent)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(flags), flags, "unknown NAT flags");
        }
    }

    public static void AppendPorts(StringBuilder sb, NftPortRange ports)
    {
        sb.Append(':');
        ports.WriteTo(sb);
    }

    public static void AppendFlags(StringBuilder sb, NftNatFlags flags)
    {
        char separator = ' ';
        if ((flags & NftNatFlags.Random) != 0)
        {
            sb.Append(separator).Append("random");
            separator = ',';
        }

        if ((flags & NftNatFlags.FullyRandom) != 0)
        {
            sb.Append(separator).Append("fully-random");
            separator = ',';
        }

        if ((flags & NftNatFlags.Persistent) != 0)
        {
            sb.Append(separator).Append("persistent");
        }
    }
}
