using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Api;

namespace Calico.Felix.Bpf;

/// <summary>One CIDR of an IP set as the LPM trie keys it: family, 16 address bytes (IPv4 in the first 4), host bits cleared.</summary>
public sealed record IpSetMember(int Family, byte[] Address, int PrefixLength)
{
    /// <summary>Family, then address bytes, then prefix length: the order a set's members are listed in.</summary>
    public static IComparer<IpSetMember> Order { get; } = Comparer<IpSetMember>.Create(static (a, b) => a.CompareTo(b));

    /// <summary>Parses "10.0.0.1", "10.0.0.0/24", "fd00::/64"; host bits are cleared (as nft's sets take them).</summary>
    public static IpSetMember Parse(string cidr)
    {
        var (family, address, prefix) = Rules.Cidr.Parse(cidr);
        var bytes = new byte[16];
        address.CopyTo(bytes, 0);
        return new IpSetMember(family, bytes, prefix);
    }

    public override string ToString()
    {
        var address = new IPAddress(Family == 4 ? Address.AsSpan(0, 4) : Address.AsSpan());
        return address + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);
    }

    public bool Equals(IpSetMember? other) =>
        other is not null && Family == other.Family && PrefixLength == other.PrefixLength && Address.AsSpan().SequenceEqual(other.Address);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Family);
        hash.Add(PrefixLength);
        hash.AddBytes(Address);
        return hash.ToHashCode();
    }

    private int CompareTo(IpSetMember other)
    {
        int c = Family.CompareTo(other.Family);
        c = c != 0 ? c : Address.AsSpan().SequenceCompareTo(other.Address);
        return c != 0 ? c : PrefixLength.CompareTo(other.PrefixLength);
    }
}
