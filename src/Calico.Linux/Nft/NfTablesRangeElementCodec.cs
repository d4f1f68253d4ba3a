using System.Buffers.Binary;
using System.Globalization;

namespace Calico.Linux.Nft;

/// <summary>
/// Element text of concatenated interval sets (pipapo) to the key and inclusive end key nft sends, checked with
/// <c>nft --debug=netlink add element inet t s { 10.0.0.0/24 . 6 . 80-90 }</c>:
/// key <c>0a000000 06000000 00500000</c>, key_end <c>0a0000ff 06000000 005a0000</c>. Every field is padded to 4 bytes:
/// the address (network order; a CIDR spans network..last address, a bare address is itself), the protocol (one byte,
/// the same at both ends), the port (big-endian u16; "a-b" spans a..b, a single port is itself).
/// </summary>
internal static class NfTablesRangeElementCodec
{
    private const string Separator = " . ";

    /// <summary>Writes start and inclusive end of <paramref name="element"/>; returns their (common) length.</summary>
    public static int Encode(NftSetKind kind, string element, Span<byte> start, Span<byte> end)
    {
        bool ipv4 = kind is NftSetKind.Ipv4ProtoInterval or NftSetKind.Ipv4ProtoPortInterval;
        bool withPort = kind is NftSetKind.Ipv4ProtoPortInterval or NftSetKind.Ipv6ProtoPortInterval;
        string shape = withPort ? "want 'address[/len] . protocol . port[-port]'" : "want 'address[/len] . protocol'";
        ReadOnlySpan<char> text = element.AsSpan();

        int first = text.IndexOf(Separator, StringComparison.Ordinal);
        if (first < 0)
        {
            throw NfTablesElementCodec.Invalid(element, kind, shape);
        }

        ReadOnlySpan<char> afterAddress = text[(first + Separator.Length)..];
        int second = afterAddress.IndexOf(Separator, StringComparison.Ordinal);
        if (withPort != second >= 0)
        {
            throw NfTablesElementCodec.Invalid(element, kind, shape);
        }

        int bits = ipv4 ? 32 : 128;
        int prefix = NfTablesElementCodec.ParsePrefix(text[..first], element, bits, start, out int length);
        if (!NfTablesElementCodec.HostBitsClear(start[..length], prefix))
        {
            throw NfTablesElementCodec.Invalid(element, kind, "host bits set (nft would refuse it too)");
        }

        NfTablesElementCodec.LastAddress(start[..length], prefix, end[..length]);

        int protocol = NfTablesElementCodec.ParseProtocol((withPort ? afterAddress[..second] : afterAddress).Trim());
        if (protocol < 0)
        {
            throw NfTablesElementCodec.Invalid(element, kind, "bad protocol");
        }

        WriteProtocol(start.Slice(length, 4), protocol);
        WriteProtocol(end.Slice(length, 4), protocol);
        length += 4;
        if (!withPort)
        {
            return length;
        }

        if (!TryParsePortRange(afterAddress[(second + Separator.Length)..].Trim(), out ushort firstPort, out ushort lastPort))
        {
            throw NfTablesElementCodec.Invalid(element, kind, "bad port or port range");
        }

        WritePort(start.Slice(length, 4), firstPort);
        WritePort(end.Slice(length, 4), lastPort);
        return length + 4;
    }

    private static void WriteProtocol(Span<byte> field, int protocol)
    {
        field.Clear();
        field[0] = (byte)protocol;
    }

    private static void WritePort(Span<byte> field, ushort port)
    {
        field.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(field, port);
    }

    /// <summary>"80" or "80-90" (first &lt;= last).</summary>
    private static bool TryParsePortRange(ReadOnlySpan<char> text, out ushort firstPort, out ushort lastPort)
    {
        int dash = text.IndexOf('-');
        if (dash < 0)
        {
            bool single = ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out firstPort);
            lastPort = firstPort;
            return single;
        }

        lastPort = 0;
        return ushort.TryParse(text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out firstPort)
            && ushort.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out lastPort)
            && firstPort <= lastPort;
    }
}
