using Calico.Nftables;

namespace Calico.Linux.Nft;

/// <summary>Anonymous sets as nft builds them: key, merged intervals, elements and set userdata.</summary>
internal sealed partial class NfTablesRuleEncoder
{
    // libnftnl's set userdata TLV types (NFTNL_UDATA_SET_*).
    private const byte UdataKeyByteOrder = 0;
    private const byte UdataMergeElements = 2;
    private const byte UdataTypeOf = 3;

    /// <summary>nft's expression type of a concatenation in the typeof description.</summary>
    private const byte ConcatExpressionType = 13;

    private static NfTablesAnonymousSet BuildAnonymousSet(Field field, List<Interval> values)
    {
        bool interval = false;
        foreach (Interval value in values)
        {
            interval |= !value.Start.AsSpan().SequenceEqual(value.End);
        }

        var userData = new List<byte>(40);
        PutUdataUInt32(userData, UdataKeyByteOrder, field.ByteOrder);
        if (interval)
        {
            PutUdataUInt32(userData, UdataMergeElements, 1);
        }

        PutUdata(userData, UdataTypeOf, field.TypeOf);

        var elements = new List<NfTablesAnonymousSet.Element>(values.Count * 2);
        if (!interval)
        {
            foreach (Interval value in values)
            {
                elements.Add(new NfTablesAnonymousSet.Element(value.Start, IntervalEnd: false, OpenInterval: false));
            }

            return new NfTablesAnonymousSet(false, field.DataType, field.Length, userData.ToArray(), elements, elements.Count);
        }

        List<Interval> merged = Merge(values);
        if (merged[0].Start.AsSpan().IndexOfAnyExcept((byte)0) >= 0)
        {
            // nft opens every interval set with an interval-end at zero (the gap below the first interval).
            elements.Add(new NfTablesAnonymousSet.Element(new byte[field.Length], IntervalEnd: true, OpenInterval: false));
        }

        foreach (Interval value in merged)
        {
            byte[]? end = Increment(value.End);
            elements.Add(new NfTablesAnonymousSet.Element(value.Start, IntervalEnd: false, OpenInterval: end is null));
            if (end is not null)
            {
                elements.Add(new NfTablesAnonymousSet.Element(end, IntervalEnd: true, OpenInterval: false));
            }
        }

        return new NfTablesAnonymousSet(true, field.DataType, field.Length, userData.ToArray(), elements, elements.Count);
    }

    /// <summary>A concatenation of single values (<c>{ 3 . 4 }</c>): each field padded to 4 bytes, no intervals.</summary>
    private static NfTablesAnonymousSet BuildConcatSet(List<Field> fields, NftAnonymousSet values)
    {
        uint keyType = 0;
        int keyLength = 0;
        var typeOfFields = new List<byte>(64);
        for (int i = 0; i < fields.Count; i++)
        {
            keyType = (keyType << 6) | fields[i].DataType;
            keyLength += (fields[i].Length + 3) / 4 * 4;
            PutUdata(typeOfFields, (byte)i, fields[i].TypeOf);
        }

        var typeOf = new List<byte>(80);
        PutUdataUInt32(typeOf, 0, ConcatExpressionType);
        PutUdata(typeOf, 1, typeOfFields.ToArray());
        var userData = new List<byte>(96);
        PutUdataUInt32(userData, UdataKeyByteOrder, 0);
        PutUdata(userData, UdataTypeOf, typeOf.ToArray());

        var elements = new List<NfTablesAnonymousSet.Element>(values.Elements.Length);
        foreach (NftValue element in values.Elements)
        {
            if (element is not NftConcatenation { Parts: var parts } || parts.Length != fields.Count)
            {
                throw new UnsupportedException($"element '{element}' does not have {fields.Count} fields");
            }

            byte[] key = new byte[keyLength];
            int offset = 0;
            for (int i = 0; i < fields.Count; i++)
            {
                Interval value = IntervalOf(fields[i], parts[i]);
                if (!value.Start.AsSpan().SequenceEqual(value.End))
                {
                    throw new UnsupportedException($"ranges in anonymous concatenations ('{element}')");
                }

                value.Start.CopyTo(key, offset);
                offset += (fields[i].Length + 3) / 4 * 4;
            }

            elements.Add(new NfTablesAnonymousSet.Element(key, IntervalEnd: false, OpenInterval: false));
        }

        return new NfTablesAnonymousSet(false, keyType, keyLength, userData.ToArray(), elements, elements.Count);
    }

    /// <summary>Sorted, with overlapping and adjacent intervals joined (nft merges anonymous interval sets).</summary>
    private static List<Interval> Merge(List<Interval> values)
    {
        var sorted = new List<Interval>(values);
        sorted.Sort(static (a, b) => a.Start.AsSpan().SequenceCompareTo(b.Start));
        var merged = new List<Interval>(sorted.Count) { sorted[0] };
        for (int i = 1; i < sorted.Count; i++)
        {
            Interval last = merged[^1];
            Interval next = sorted[i];
            byte[]? afterLast = Increment(last.End);
            if (afterLast is null || next.Start.AsSpan().SequenceCompareTo(afterLast) <= 0)
            {
                if (next.End.AsSpan().SequenceCompareTo(last.End) > 0)
                {
                    merged[^1] = last with { End = next.End };
                }

                continue;
            }

            merged.Add(next);
        }

        return merged;
    }

    /// <summary>value + 1 (big-endian), or null when it overflows (the interval runs to the top of the key space).</summary>
    private static byte[]? Increment(byte[] value)
    {
        byte[] result = (byte[])value.Clone();
        for (int i = result.Length - 1; i >= 0; i--)
        {
            if (++result[i] != 0)
            {
                return result;
            }
        }

        return null;
    }

    private static void PutUdataUInt32(List<byte> buffer, byte type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        Netlink.HostOrder.WriteUInt32(bytes, value);
        PutUdata(buffer, type, bytes);
    }

    private static void PutUdata(List<byte> buffer, byte type, ReadOnlySpan<byte> value)
    {
        buffer.Add(type);
        buffer.Add((byte)value.Length);
        foreach (byte b in value)
        {
            buffer.Add(b);
        }
    }
}
