using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Calico.Ipam;

/// <summary>Addresses as 128-bit integers, so ordinals and block stepping work the same for IPv4 and IPv6.</summary>
internal static class IpMath
{
    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes[..4], out _);
            return BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }

        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress FromUInt128(UInt128 value, bool ipv6)
    {
        if (!ipv6)
        {
            Span<byte> four = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(four, (uint)value);
            return new IPAddress(four);
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public static bool IsV6(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6;

    public static int Bits(IPAddress address) => IsV6(address) ? 128 : 32;

    /// <summary>The block of <paramref name="prefixLength"/> that contains <paramref name="address"/>.</summary>
    public static IPNetwork Containing(IPAddress address, int prefixLength)
    {
        int hostBits = Bits(address) - prefixLength;
        UInt128 value = ToUInt128(address);
        UInt128 masked = hostBits >= 128 ? UInt128.Zero : (value >> hostBits) << hostBits;
        return new IPNetwork(FromUInt128(masked, IsV6(address)), prefixLength);
    }

    /// <summary>Number of addresses in the network (blocks are at most 2^12; pools may be huge, hence UInt128).</summary>
    public static UInt128 Size(IPNetwork network)
    {
        int hostBits = Bits(network.BaseAddress) - network.PrefixLength;
        return hostBits >= 128 ? UInt128.MaxValue : UInt128.One << hostBits;
    }

    public static IPAddress Nth(IPNetwork network, UInt128 offset) =>
        FromUInt128(ToUInt128(network.BaseAddress) + offset, IsV6(network.BaseAddress));

    /// <summary>True when <paramref name="inner"/> lies entirely within <paramref name="outer"/>.</summary>
    public static bool Covers(IPNetwork outer, IPNetwork inner) =>
        outer.BaseAddress.AddressFamily == inner.BaseAddress.AddressFamily
        && outer.PrefixLength <= inner.PrefixLength
        && outer.Contains(inner.BaseAddress);

    /// <summary>Go's <c>net.IP.String()</c> for the address: IPv4 dotted quad, IPv6 RFC 5952.</summary>
    public static string Format(IPAddress address) => address.ToString();

    public static string Format(IPNetwork network) => Calico.Api.Cidr.Format(network);
}
