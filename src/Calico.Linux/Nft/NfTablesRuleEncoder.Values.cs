using System.Buffers.Binary;
using Calico.Nftables;

namespace Calico.Linux.Nft;

/// <summary>Values of a field: an address or prefix, a port or port range, a protocol or ICMP number, as key bytes.</summary>
internal sealed partial class NfTablesRuleEncoder
{
    private static Interval IntervalOf(Field field, NftValue value) => (field.Kind, value) switch
    {
        (FieldKind.Address, NftPrefix prefix) => PrefixInterval(field, prefix),
        (FieldKind.Port, NftPortRange ports) => PortInterval(ports),
        (FieldKind.Number, NftProtocol protocol) when field == Field.MetaL4proto => Single(protocol.Number),
        (FieldKind.Number, NftNumber number) when field != Field.MetaL4proto => Single(number.Value),
        _ => throw new UnsupportedException($"'{value}' is not a value for {field.Name}"),
    };

    private static Interval PrefixInterval(Field field, NftPrefix prefix)
    {
        if (prefix.Bits != field.Bits)
        {
            throw new UnsupportedException($"'{prefix}' is not an IPv{(field.Bits == 32 ? 4 : 6)} address or prefix for {field.Name}");
        }

        byte[] start = prefix.Address.ToArray();
        byte[] end = (byte[])start.Clone();
        for (int i = 0; i < start.Length; i++)
        {
            int keep = Math.Clamp(prefix.Length - (i * 8), 0, 8);
            end[i] |= (byte)~(0xff << (8 - keep));
        }

        return new Interval(start, end, prefix.Length);
    }

    /// <summary>Big-endian, as in the packet.</summary>
    private static Interval PortInterval(NftPortRange ports)
    {
        byte[] start = new byte[2];
        byte[] end = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(start, ports.First);
        BinaryPrimitives.WriteUInt16BigEndian(end, ports.Last);
        return new Interval(start, end, 16);
    }

    private static Interval Single(byte value)
    {
        byte[] bytes = [value];
        return new Interval(bytes, bytes, 8);
    }

    /// <summary>Start and INCLUSIVE end of a value in key bytes; <see cref="Prefix"/> is the prefix length of an address.</summary>
    private readonly record struct Interval(byte[] Start, byte[] End, int Prefix);
}
