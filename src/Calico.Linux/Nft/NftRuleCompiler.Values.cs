using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Calico.Linux.Nft;

/// <summary>Values of a field: an address or prefix, a port or port range, a protocol or ICMP number.</summary>
internal sealed partial class NftRuleCompiler
{
    private static Interval ParseInterval(Field field, string text) => field.Kind switch
    {
        FieldKind.Address => ParsePrefix(field, text),
        FieldKind.Port => ParsePorts(text),
        _ => ParseNumber(field, text),
    };

    /// <summary>"addr" or "addr/len"; host bits must be clear (nft would print the value differently otherwise).</summary>
    private static Interval ParsePrefix(Field field, string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        int prefix = field.Bits;
        ReadOnlySpan<char> addressText = slash < 0 ? text : text.AsSpan(0, slash);
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > field.Bits))
        {
            throw new UnsupportedException($"bad prefix length in '{text}'");
        }

        AddressFamily family = field.Bits == 32 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        if (!IPAddress.TryParse(addressText, out IPAddress? address) || address.AddressFamily != family || addressText.Contains('%')
            || (field.Bits == 32 && !addressText.SequenceEqual(address.ToString())))
        {
            throw new UnsupportedException($"'{text}' is not an IPv{(field.Bits == 32 ? 4 : 6)} address or prefix for {field.Name}");
        }

        byte[] start = address.GetAddressBytes();
        byte[] end = (byte[])start.Clone();
        for (int i = 0; i < start.Length; i++)
        {
            int keep = Math.Clamp(prefix - (i * 8), 0, 8);
            byte hostBits = (byte)~(0xff << (8 - keep));
            if ((start[i] & hostBits) != 0)
            {
                throw new UnsupportedException($"'{text}' has host bits set");
            }

            end[i] |= hostBits;
        }

        return new Interval(start, end, prefix);
    }

    /// <summary>"80" or "1000-2000" (big-endian, as in the packet).</summary>
    private static Interval ParsePorts(string text)
    {
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        ReadOnlySpan<char> first = dash < 0 ? text : text.AsSpan(0, dash);
        ReadOnlySpan<char> last = dash < 0 ? text : text.AsSpan(dash + 1);
        if (!ushort.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out ushort low)
            || !ushort.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out ushort high) || high < low
            || (dash >= 0 && high == low))
        {
            throw new UnsupportedException($"'{text}' is not a port or port range");
        }

        byte[] start = new byte[2];
        byte[] end = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(start, low);
        BinaryPrimitives.WriteUInt16BigEndian(end, high);
        return new Interval(start, end, 16);
    }

    private static Interval ParseNumber(Field field, string text)
    {
        int value = field == Field.MetaL4proto ? ProtocolNumber(text) : -1;
        if (value < 0 && byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out byte number))
        {
            value = number;
        }

        if (value < 0)
        {
            throw new UnsupportedException($"'{text}' is not a number 0-255 for {field.Name}");
        }

        byte[] bytes = [(byte)value];
        return new Interval(bytes, bytes, 8);
    }

    /// <summary>The protocol names Calico.Felix.Rules renders (nft's inet_proto names).</summary>
    private static int ProtocolNumber(string name) => name switch
    {
        "icmp" => 1,
        "tcp" => 6,
        "udp" => 17,
        "ipv6-icmp" => 58,
        "sctp" => 132,
        "udplite" => 136,
        _ => -1,
    };

    /// <summary>Start and INCLUSIVE end of a value in key bytes; <see cref="Prefix"/> is the prefix length of an address.</summary>
    private readonly record struct Interval(byte[] Start, byte[] End, int Prefix);
}
