using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Calico.Linux.Interop;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nft;

/// <summary>
/// Element text to nf_tables set keys, as nft 1.0 encodes them (checked with <c>nft --debug=netlink</c>):
/// <list type="bullet">
/// <item>Plain address sets: the address in network order (4 or 16 bytes).</item>
/// <item>Interval sets (rbtree backend): a CIDR is TWO elements, the start key (the network) and an end element
/// flagged NFT_SET_ELEM_INTERVAL_END whose key is the last address + 1 (the interval is half-open). When the last
/// address is the top of the address space (0.0.0.0/0, 255.255.255.255/32, ::/0) there is no end element; the start
/// then carries libnftnl's userdata "interval open" flag, which only nft's listing reads. Deletion sends the same
/// elements as the add.</item>
/// <item>Concatenations: each field padded to a multiple of 4 bytes: address, protocol (1 byte + 3 zero),
/// port (2 bytes big-endian + 2 zero).</item>
/// <item>Concatenations with <c>flags interval</c> (pipapo backend): ONE element carrying the start of every field as
/// the key and the inclusive end of every field as NFTA_SET_ELEM_KEY_END (<see cref="NfTablesRangeElementCodec"/>).</item>
/// </list>
/// </summary>
internal static class NfTablesElementCodec
{
    /// <summary>The longest key: an IPv6 address . protocol . port.</summary>
    public const int MaxKeyLength = 24;

    public static bool IsInterval(NftSetKind kind) => kind is NftSetKind.Ipv4Prefix or NftSetKind.Ipv6Prefix;

    /// <summary>Concatenations with the interval flag: the end key travels in the same element (NFTA_SET_ELEM_KEY_END).</summary>
    public static bool IsRangeConcat(NftSetKind kind) => kind is NftSetKind.Ipv4ProtoInterval or NftSetKind.Ipv6ProtoInterval
        or NftSetKind.Ipv4ProtoPortInterval or NftSetKind.Ipv6ProtoPortInterval;

    /// <summary>
    /// Encodes <paramref name="element"/>; returns the key length. <paramref name="endLength"/> is the length of the
    /// interval end key written to <paramref name="end"/>, 0 when there is none (not an interval set, or an interval
    /// open to the top of the address space). For range concatenations the end is inclusive and always present. Throws <see cref="ArgumentException"/> naming the element when the text
    /// does not fit the kind.
    /// </summary>
    public static int Encode(NftSetKind kind, string element, Span<byte> start, Span<byte> end, out int endLength)
    {
        ArgumentNullException.ThrowIfNull(element);
        endLength = 0;
        switch (kind)
        {
            case NftSetKind.Ipv4Addr:
            case NftSetKind.Ipv6Addr:
            {
                int bits = kind == NftSetKind.Ipv4Addr ? 32 : 128;
                int prefix = ParsePrefix(element, bits, start, out int length);
                return prefix == bits ? length : throw Invalid(element, kind, "a plain set holds addresses, not prefixes");
            }

            case NftSetKind.Ipv4Prefix:
            case NftSetKind.Ipv6Prefix:
            {
                int bits = kind == NftSetKind.Ipv4Prefix ? 32 : 128;
                int prefix = ParsePrefix(element, bits, start, out int length);
                if (!HostBitsClear(start[..length], prefix))
                {
                    throw Invalid(element, kind, "host bits set (nft would refuse it too)");
                }

                if (IntervalEnd(start[..length], prefix, end[..length]))
                {
                    endLength = length;
                }

                return length;
            }

            case NftSetKind.Ipv4PortConcat:
            case NftSetKind.Ipv6PortConcat:
                return EncodeConcat(kind, element, start);

            case NftSetKind.Ipv4ProtoInterval:
            case NftSetKind.Ipv6ProtoInterval:
            case NftSetKind.Ipv4ProtoPortInterval:
            case NftSetKind.Ipv6ProtoPortInterval:
                endLength = NfTablesRangeElementCodec.Encode(kind, element, start, end);
                return endLength;

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown set kind");
        }
    }

    /// <summary>
    /// Writes the NFTA_LIST_ELEM(s) of one change into an open NFTA_SET_ELEM_LIST_ELEMENTS nest: start first, then the
    /// interval end, the order nft sends for both add and delete.
    /// </summary>
    public static void WriteElements(NetlinkWriter writer, NftSetKind kind, string element)
    {
        Span<byte> start = stackalloc byte[MaxKeyLength];
        Span<byte> end = stackalloc byte[MaxKeyLength];
        int keyLength = Encode(kind, element, start, end, out int endLength);
        if (IsRangeConcat(kind))
        {
            // pipapo: one element holds the whole box; nft sends KEY then KEY_END, no flags, for add and delete alike.
            int rangeElement = writer.BeginNested(NfNetlink.NFTA_LIST_ELEM);
            PutKey(writer, NfNetlink.NFTA_SET_ELEM_KEY, start[..keyLength]);
            PutKey(writer, NfNetlink.NFTA_SET_ELEM_KEY_END, end[..endLength]);
            writer.EndNested(rangeElement);
            return;
        }

        bool openInterval = IsInterval(kind) && endLength == 0;

        int startElement = writer.BeginNested(NfNetlink.NFTA_LIST_ELEM);
        PutKey(writer, NfNetlink.NFTA_SET_ELEM_KEY, start[..keyLength]);
        if (openInterval)
        {
            Span<byte> userData = stackalloc byte[6];
            userData[0] = NfNetlink.NFTNL_UDATA_SET_ELEM_FLAGS;
            userData[1] = 4;
            Netlink.HostOrder.WriteUInt32(userData[2..], NfNetlink.NFTNL_SET_ELEM_F_INTERVAL_OPEN);
            writer.PutAttribute(NfNetlink.NFTA_SET_ELEM_USERDATA, userData);
        }

        writer.EndNested(startElement);
        if (endLength == 0)
        {
            return;
        }

        int endElement = writer.BeginNested(NfNetlink.NFTA_LIST_ELEM);
        writer.PutBigEndianUInt32(NfNetlink.NFTA_SET_ELEM_FLAGS, NfNetlink.NFT_SET_ELEM_INTERVAL_END);
        PutKey(writer, NfNetlink.NFTA_SET_ELEM_KEY, end[..endLength]);
        writer.EndNested(endElement);
    }

    private static void PutKey(NetlinkWriter writer, ushort attribute, ReadOnlySpan<byte> key)
    {
        int nest = writer.BeginNested(attribute);
        writer.PutAttribute(NfNetlink.NFTA_DATA_VALUE, key);
        writer.EndNested(nest);
    }

    /// <summary>"addr" or "addr/len" of the family with <paramref name="bits"/>; writes the address, returns the prefix length.</summary>
    private static int ParsePrefix(string element, int bits, Span<byte> address, out int length) =>
        ParsePrefix(element.AsSpan(), element, bits, address, out length);

    /// <summary>As above for a field <paramref name="field"/> of <paramref name="element"/> (named in errors).</summary>
    internal static int ParsePrefix(ReadOnlySpan<char> field, string element, int bits, Span<byte> address, out int length)
    {
        ReadOnlySpan<char> text = field.Trim();
        int slash = text.IndexOf('/');
        int prefix = bits;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            throw Invalid(element, bits, "bad prefix length");
        }

        ParseAddress(slash < 0 ? text : text[..slash], element, bits, address, out length);
        return prefix;
    }

    private static void ParseAddress(ReadOnlySpan<char> text, string element, int bits, Span<byte> destination, out int length)
    {
        if (!IPAddress.TryParse(text, out IPAddress? address) || text.Contains('%'))
        {
            throw Invalid(element, bits, "not an IP address");
        }

        AddressFamily wanted = bits == 32 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        if (address.AddressFamily != wanted)
        {
            throw Invalid(element, bits, "wrong address family");
        }

        // IPAddress also accepts inet_aton's short and octal forms ("10.1", "010.0.0.1"), which nft reads otherwise.
        if (bits == 32 && !text.SequenceEqual(address.ToString()))
        {
            throw Invalid(element, bits, "not a dotted-quad address");
        }

        if (!address.TryWriteBytes(destination, out length))
        {
            throw Invalid(element, bits, "address does not fit");
        }
    }

    internal static bool HostBitsClear(ReadOnlySpan<byte> address, int prefix)
    {
        for (int i = 0; i < address.Length; i++)
        {
            int keep = Math.Clamp(prefix - (i * 8), 0, 8);
            if ((address[i] & (byte)~(0xff << (8 - keep))) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes last address + 1 of the prefix; false when that overflows the address space (open interval).</summary>
    private static bool IntervalEnd(ReadOnlySpan<byte> network, int prefix, Span<byte> end)
    {
        LastAddress(network, prefix, end);
        for (int i = end.Length - 1; i >= 0; i--)
        {
            if (++end[i] != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes the last address of the prefix (the network with every host bit set).</summary>
    internal static void LastAddress(ReadOnlySpan<byte> network, int prefix, Span<byte> last)
    {
        network.CopyTo(last);
        for (int i = 0; i < last.Length; i++)
        {
            int keep = Math.Clamp(prefix - (i * 8), 0, 8);
            last[i] |= (byte)~(0xff << (8 - keep));
        }
    }

    private static int EncodeConcat(NftSetKind kind, string element, Span<byte> key)
    {
        int bits = kind == NftSetKind.Ipv4PortConcat ? 32 : 128;
        ReadOnlySpan<char> text = element.AsSpan();
        int first = text.IndexOf(" . ", StringComparison.Ordinal);
        int second = first < 0 ? -1 : text[(first + 3)..].IndexOf(" . ", StringComparison.Ordinal);
        if (first < 0 || second < 0)
        {
            throw Invalid(element, kind, "want 'address . protocol . port'");
        }

        second += first + 3;
        ParseAddress(text[..first].Trim(), element, bits, key, out int addressLength);
        int protocol = ParseProtocol(text[(first + 3)..second].Trim());
        if (protocol < 0 || !ushort.TryParse(text[(second + 3)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
        {
            throw Invalid(element, kind, "want 'address . protocol . port'");
        }

        Span<byte> rest = key.Slice(addressLength, 8);
        rest.Clear();
        rest[0] = (byte)protocol;
        BinaryPrimitives.WriteUInt16BigEndian(rest[4..], port);
        return addressLength + 8;
    }

    /// <summary>nft's inet_proto names for the protocols named ports use, or a number 0-255; -1 when neither.</summary>
    internal static int ParseProtocol(ReadOnlySpan<char> name) => name switch
    {
        "tcp" => 6,
        "udp" => 17,
        "sctp" => 132,
        "udplite" => 136,
        _ => byte.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out byte number) ? number : -1,
    };

    internal static ArgumentException Invalid(string element, NftSetKind kind, string why) =>
        new($"set element '{element}' is not valid for a {kind} set: {why}", nameof(element));

    private static ArgumentException Invalid(string element, int bits, string why) =>
        new($"set element '{element}' is not a valid IPv{(bits == 32 ? 4 : 6)} element: {why}", nameof(element));
}
