using System.Globalization;
using System.Net;

namespace Calico.Felix.Rules;

/// <summary>
/// Makes the members of one interval set disjoint without merging them: a CIDR contained in another member is
/// dropped, every other member stays its own element. nft would otherwise reject the overlap, and auto-merge would
/// fuse neighbours so that a later <c>delete element</c> of one of them fails.
/// </summary>
internal static class CidrCollapse
{
    /// <summary>Normalised CIDR texts (<see cref="Cidr.Normalize"/>) of one family in, the uncovered ones out, sorted ordinally.</summary>
    public static List<string> Collapse(IReadOnlyCollection<string> normalized)
    {
        var members = new HashSet<(UInt128 Network, int Prefix)>(normalized.Count);
        var prefixes = new SortedSet<int>();
        var parsed = new List<(UInt128 Network, int Prefix, int Bits, string Text)>(normalized.Count);
        foreach (string text in normalized)
        {
            var (network, prefix, bits) = Parse(text);
            members.Add((network, prefix));
            prefixes.Add(prefix);
            parsed.Add((network, prefix, bits, text));
        }

        var result = new List<string>(parsed.Count);
        foreach (var (network, prefix, bits, text) in parsed)
        {
            if (!IsCovered(members, prefixes, network, prefix, bits))
            {
                result.Add(text);
            }
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }

    /// <summary>Only the prefix lengths present can hold a cover, so the walk is short for the usual /32-only sets.</summary>
    private static bool IsCovered(HashSet<(UInt128, int)> members, SortedSet<int> prefixes, UInt128 network, int prefix, int bits)
    {
        foreach (int shorter in prefixes)
        {
            if (shorter >= prefix)
            {
                return false;
            }

            if (members.Contains((Truncate(network, shorter, bits), shorter)))
            {
                return true;
            }
        }

        return false;
    }

    internal static UInt128 Truncate(UInt128 network, int prefix, int bits) =>
        prefix == 0 ? UInt128.Zero : network & ~((UInt128.One << (bits - prefix)) - 1);

    internal static (UInt128 Network, int Prefix, int Bits) Parse(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        IPAddress address = IPAddress.Parse(slash < 0 ? text : text[..slash]);
        byte[] bytes = address.GetAddressBytes();
        int bits = bytes.Length * 8;
        int prefix = slash < 0 ? bits : int.Parse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        UInt128 value = UInt128.Zero;
        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
        }

        return (value, prefix, bits);
    }
}
