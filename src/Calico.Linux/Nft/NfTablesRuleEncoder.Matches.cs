using Calico.Nftables;
using static Calico.Linux.Nft.NfTablesRuleAttributes;

namespace Calico.Linux.Nft;

/// <summary>Relational matches on one field or a concatenation, lowered as nft lowers them.</summary>
internal sealed partial class NfTablesRuleEncoder
{
    /// <summary>A payload or <c>meta l4proto</c> match on one field or a concatenation.</summary>
    private void EncodeFieldMatch(NftMatch match)
    {
        if (match.IsConcatenation)
        {
            var fields = new List<Field>(match.Fields.Length);
            foreach (NftField field in match.Fields)
            {
                fields.Add(FieldOf(field));
            }

            EncodeConcatMatch(fields, match.Value, match.Negated);
            return;
        }

        Field single = FieldOf(match.Fields[0]);
        bool negated = match.Negated;
        Depend(single);
        switch (match.Value)
        {
            case NftSetReference set:
                _expressions.Add(single.Load(NftExpression.Register1, single.Length));
                _expressions.Add(NftExpression.LookupNamed(set.Name, negated, verdictMap: false));
                return;
            case NftAnonymousSet { Elements.Length: > 1 } set:
                EncodeAnonymousSetMatch(single, set, negated);
                return;
            case NftAnonymousSet set:
                // nft turns a one-element anonymous set into a plain comparison.
                EncodeValueMatch(single, set.Elements[0], negated);
                return;
            default:
                EncodeValueMatch(single, match.Value, negated);
                return;
        }
    }

    private void EncodeValueMatch(Field field, NftValue typed, bool negated)
    {
        uint cmp = negated ? NFT_CMP_NEQ : NFT_CMP_EQ;
        Interval value = IntervalOf(field, typed);
        if (field.Kind == FieldKind.Address)
        {
            int prefix = value.Prefix;
            if (prefix % 8 == 0 && prefix > 0)
            {
                // A byte-aligned prefix: nft loads only the prefix's bytes and compares them.
                byte[] bytes = value.Start[..(prefix / 8)];
                if (negated)
                {
                    _expressions.Add(field.Load(NftExpression.Register1, bytes.Length));
                    _expressions.Add(NftExpression.Compare(cmp, bytes));
                }
                else
                {
                    AddPayloadEquality(field, bytes);
                }
            }
            else
            {
                _expressions.Add(field.Load(NftExpression.Register1, field.Length));
                _expressions.Add(NftExpression.Bitwise(PrefixMask(field.Length, prefix), new byte[field.Length], sendOperation: false));
                _expressions.Add(NftExpression.Compare(cmp, value.Start));
            }

            return;
        }

        if (value.Start.AsSpan().SequenceEqual(value.End))
        {
            if (!negated && !field.IsMeta)
            {
                AddPayloadEquality(field, value.Start);
                return;
            }

            _expressions.Add(field.Load(NftExpression.Register1, field.Length));
            _expressions.Add(NftExpression.Compare(cmp, value.Start));
            if (!negated && field == Field.MetaL4proto)
            {
                _transport = value.Start[0];
            }

            return;
        }

        _expressions.Add(field.Load(NftExpression.Register1, field.Length));

        if (negated)
        {
            _expressions.Add(NftExpression.Range(NFT_RANGE_NEQ, value.Start, value.End));
        }
        else
        {
            _expressions.Add(NftExpression.Compare(NFT_CMP_GTE, value.Start));
            _expressions.Add(NftExpression.Compare(NFT_CMP_LTE, value.End));
        }
    }

    private void EncodeAnonymousSetMatch(Field field, NftAnonymousSet set, bool negated)
    {
        var values = new List<Interval>(set.Elements.Length);
        foreach (NftValue element in set.Elements)
        {
            values.Add(IntervalOf(field, element));
        }

        _expressions.Add(field.Load(NftExpression.Register1, field.Length));
        _sets.Add(BuildAnonymousSet(field, values));
        _expressions.Add(NftExpression.LookupAnonymous(_sets.Count - 1, negated));
    }

    /// <summary>
    /// Fields load into consecutive 32-bit registers (each field padded to 4 bytes); nft names a register by its
    /// 16-byte number when it starts one (1..4), else as 32-bit register 8 + n.
    /// </summary>
    private void EncodeConcatMatch(List<Field> fields, NftValue value, bool negated)
    {
        foreach (Field field in fields)
        {
            Depend(field);
        }

        string? set = (value as NftSetReference)?.Name;
        if (set is null && value is not NftAnonymousSet)
        {
            throw new UnsupportedException($"a concatenation wants @set or {{ ... }}, not '{value}'");
        }

        bool interval = set is not null && _isIntervalSet(set);
        int unit = 0;
        foreach (Field field in fields)
        {
            uint register = unit % 4 == 0 ? (uint)(1 + (unit / 4)) : (uint)(8 + unit);
            _expressions.Add(field.Load(register, field.Length));
            if (interval && field.ByteOrder == 1)
            {
                // Interval (pipapo) sets compare big-endian keys; nft converts the host-order field in place.
                _expressions.Add(NftExpression.HostToNetwork(register, (uint)field.Length, 2));
            }

            unit += (field.Length + 3) / 4;
        }

        if (unit > 16)
        {
            throw new UnsupportedException("concatenation longer than the 64-byte register file");
        }

        if (set is not null)
        {
            _expressions.Add(NftExpression.LookupNamed(set, negated, verdictMap: false));
            return;
        }

        _sets.Add(BuildConcatSet(fields, (NftAnonymousSet)value));
        _expressions.Add(NftExpression.LookupAnonymous(_sets.Count - 1, negated));
    }

    private void Depend(Field field)
    {
        if (field.Transport >= 0)
        {
            EnsureTransport(field.Transport, field.Network, field.Name);
        }
        else if (field.Network != 0)
        {
            EnsureNetwork(field.Network, field.Name);
        }
    }

    private void EnsureNetwork(int family, string what)
    {
        if (_network == family)
        {
            return;
        }

        if (_network != 0)
        {
            throw new UnsupportedException($"{what} conflicts with the IPv{_network} match before it");
        }

        _expressions.Add(NftExpression.MetaLoad(NFT_META_NFPROTO));
        _expressions.Add(NftExpression.Compare(NFT_CMP_EQ, [(byte)(family == 4 ? 2 : 10)]));
        _network = family;
    }

    /// <summary>An ICMP field needs <c>meta l4proto icmp</c> (and the family first, unless the protocol is already matched).</summary>
    private void EnsureTransport(int protocol, int family, string what)
    {
        if (_transport == protocol)
        {
            return;
        }

        if (_transport >= 0)
        {
            throw new UnsupportedException($"{what} conflicts with meta l4proto {_transport} before it");
        }

        EnsureNetwork(family, what);
        _expressions.Add(NftExpression.MetaLoad(NFT_META_L4PROTO));
        _expressions.Add(NftExpression.Compare(NFT_CMP_EQ, [(byte)protocol]));
        _transport = protocol;
    }

    private static byte[] PrefixMask(int length, int prefix)
    {
        byte[] mask = new byte[length];
        for (int i = 0; i < length; i++)
        {
            int keep = Math.Clamp(prefix - (i * 8), 0, 8);
            mask[i] = (byte)(0xff << (8 - keep));
        }

        return mask;
    }
}
