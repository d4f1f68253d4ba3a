using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Calico.Nftables;

/// <summary>
/// An IPv4 or IPv6 address or prefix with its host bits clear (nft rejects <c>10.0.0.1/24</c>); a full-length prefix
/// is written as the plain address.
/// </summary>
public sealed class NftPrefix : NftValue
{
    // The bytes inline (the first 4 for IPv4), not an array: a large IP set holds one prefix per member, and every
    // object a table keeps alive is one more for the GC to mark and copy.
    private AddressBytes _address;
    private readonly byte _addressLength;

    private NftPrefix(ReadOnlySpan<byte> address, int length)
    {
        address.CopyTo(_address);
        _addressLength = (byte)address.Length;
        Length = length;
    }

    /// <summary>4 or 6.</summary>
    public int Family => _addressLength == 4 ? 4 : 6;

    /// <summary>The prefix length in bits.</summary>
    public int Length { get; }

    /// <summary>Address bits in network order.</summary>
    public ReadOnlySpan<byte> Address => ((ReadOnlySpan<byte>)_address)[.._addressLength];

    public int Bits => _addressLength * 8;

    public bool IsHost => Length == Bits;

    /// <summary>Parses <c>addr</c> or <c>addr/len</c>, clearing host bits. Throws <see cref="FormatException"/> on anything else.</summary>
    public static NftPrefix Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        ReadOnlySpan<char> addressText = slash < 0 ? text : text.AsSpan(0, slash);
        if (!IPAddress.TryParse(addressText, out IPAddress? address) || addressText.Contains('%'))
        {
            throw new FormatException($"'{text}' is not an IP address or prefix");
        }

        int bits = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        int length = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > bits))
        {
            throw new FormatException($"'{text}' has a bad prefix length");
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        var prefix = new NftPrefix(bytes[..written], length);
        if (prefix.ClearHostBits() && IsCanonical(text, address, slash, length, bits))
        {
            // Most callers pass text already in nft's form: keep it rather than format the address again.
            prefix.UseText(text);
        }

        return prefix;
    }

    /// <summary>Whether <paramref name="text"/> is exactly what <see cref="FormatTo"/> would write.</summary>
    private static bool IsCanonical(string text, IPAddress address, int slash, int length, int bits)
    {
        if ((slash < 0) != (length == bits))
        {
            return false;
        }

        Span<char> formatted = stackalloc char[64];
        if (!address.TryFormat(formatted, out int written))
        {
            return false;
        }

        ReadOnlySpan<char> addressText = slash < 0 ? text : text.AsSpan(0, slash);
        if (!addressText.SequenceEqual(formatted[..written]))
        {
            return false;
        }

        // "/len" with no leading zero.
        return slash < 0 || text.AsSpan(slash + 1).Length == (length < 10 ? 1 : length < 100 ? 2 : 3);
    }

    /// <summary>The prefix of <paramref name="length"/> bits of <paramref name="address"/> (4 or 16 bytes).</summary>
    public static NftPrefix Of(ReadOnlySpan<byte> address, int length)
    {
        if (address.Length is not (4 or 16) || length < 0 || length > address.Length * 8)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "want 4 or 16 address bytes and a length within them");
        }

        var prefix = new NftPrefix(address, length);
        prefix.ClearHostBits();
        return prefix;
    }

    /// <summary>Clears the bits past the prefix; true when there were none set.</summary>
    private bool ClearHostBits()
    {
        bool clear = true;
        for (int i = 0; i < _addressLength; i++)
        {
            int keep = Math.Clamp(Length - (i * 8), 0, 8);
            byte mask = (byte)(0xff << (8 - keep));
            clear &= (_address[i] & ~mask) == 0;
            _address[i] &= mask;
        }

        return clear;
    }

    [InlineArray(16)]
    private struct AddressBytes
    {
        private byte _first;
    }

    private protected override void FormatTo(StringBuilder sb)
    {
        sb.Append(new IPAddress(Address).ToString());
        if (!IsHost)
        {
            sb.Append('/').Append(Length.ToString(CultureInfo.InvariantCulture));
        }
    }
}
