using static Calico.Linux.Nft.NfTablesRuleAttributes;

namespace Calico.Linux.Nft;

/// <summary>
/// nft's payload merge (payload_try_merge): among consecutive statements that compare a packet field for equality
/// with a constant (<c>th dport 2 th sport 1</c>, <c>icmp type 3 icmp code 4</c>), fields of the same header that
/// sit next to each other are loaded and compared as one, as long as the result fits 4 bytes. nft sorts the run by
/// offset and keeps the merged comparison at the place of the run's lowest field.
/// </summary>
internal sealed partial class NfTablesRuleEncoder
{
    private const int MaxMergedPayloadBytes = 4;

    private readonly List<PayloadEquality> _payloadEqualities = [];

    /// <summary>A payload load + <c>cmp eq</c> that nft may merge with its neighbours.</summary>
    private void AddPayloadEquality(Field field, byte[] value)
    {
        _payloadEqualities.Add(new PayloadEquality(_expressions.Count, field.PayloadBase, field.OffsetOrKey, value));
        _expressions.Add(field.Load(NftExpression.Register1, value.Length));
        _expressions.Add(NftExpression.Compare(NFT_CMP_EQ, value));
    }

    private NftExpression[] MergedExpressions()
    {
        if (_payloadEqualities.Count < 2)
        {
            return _expressions.ToArray();
        }

        var replaced = new Dictionary<int, PayloadEquality>();
        var removed = new HashSet<int>();
        int start = 0;
        while (start < _payloadEqualities.Count)
        {
            int end = start;
            while (end + 1 < _payloadEqualities.Count && _payloadEqualities[end + 1].Index == _payloadEqualities[end].Index + 2)
            {
                end++;
            }

            if (end > start)
            {
                MergeRun(_payloadEqualities.GetRange(start, end - start + 1), replaced, removed);
            }

            start = end + 1;
        }

        var result = new List<NftExpression>(_expressions.Count);
        for (int i = 0; i < _expressions.Count; i++)
        {
            if (removed.Contains(i))
            {
                i++;
            }
            else if (replaced.TryGetValue(i, out PayloadEquality merged))
            {
                result.Add(NftExpression.Payload(merged.Base, merged.Offset, (uint)merged.Value.Length));
                result.Add(NftExpression.Compare(NFT_CMP_EQ, merged.Value));
                i++;
            }
            else
            {
                result.Add(_expressions[i]);
            }
        }

        return result.ToArray();
    }

    private static void MergeRun(List<PayloadEquality> run, Dictionary<int, PayloadEquality> replaced, HashSet<int> removed)
    {
        // OrderBy is stable, so equal offsets keep their order.
        List<PayloadEquality> sorted = run.OrderBy(p => p.Offset).ToList();
        PayloadEquality last = sorted[0];
        for (int i = 1; i < sorted.Count; i++)
        {
            PayloadEquality next = sorted[i];
            if (next.Base != last.Base || last.Offset + (uint)last.Value.Length != next.Offset
                || last.Value.Length + next.Value.Length > MaxMergedPayloadBytes)
            {
                last = next;
                continue;
            }

            last = last with { Value = [.. last.Value, .. next.Value] };
            replaced[last.Index] = last;
            removed.Add(next.Index);
        }
    }

    /// <summary>Where the load sits in the expression list, and what it compares.</summary>
    private readonly record struct PayloadEquality(int Index, uint Base, uint Offset, byte[] Value);
}
