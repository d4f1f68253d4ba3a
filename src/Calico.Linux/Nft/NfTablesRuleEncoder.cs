using Calico.Nftables;
using static Calico.Linux.Nft.NfTablesRuleAttributes;

namespace Calico.Linux.Nft;

/// <summary>
/// A typed rule (<see cref="NftRule"/>) to the expressions nft 1.0.6 generates for its text in an inet table,
/// including nft's implicit dependencies (<c>ip saddr</c> gets <c>meta nfproto ipv4</c> unless the family is already
/// known, <c>icmp type</c> gets <c>meta l4proto icmp</c>, <c>th</c> gets nothing) and nft's simplifications (a
/// one-element anonymous set becomes a comparison, a byte-aligned prefix loads only its bytes, a port range is two
/// comparisons or a negated range), so <c>nft list</c> of a table written over netlink is the one <c>nft -f</c> writes.
/// What the kernel or nft would refuse is refused with a reason so the caller falls back to <c>nft -f</c>.
/// One instance per rule; not thread-safe.
/// </summary>
internal sealed partial class NfTablesRuleEncoder
{
    private readonly Func<string, bool> _isIntervalSet;
    private readonly List<NftExpression> _expressions = new(12);
    private readonly List<NfTablesAnonymousSet> _sets = [];

    /// <summary>0 while unknown, else 4 or 6: set by <c>meta nfproto</c> or an implicit dependency.</summary>
    private int _network;

    /// <summary>-1 while unknown, else the protocol matched by <c>meta l4proto</c> (explicit or implicit).</summary>
    private int _transport = -1;

    private NfTablesRuleEncoder(Func<string, bool> isIntervalSet) => _isIntervalSet = isIntervalSet;

    /// <summary>Calico's merged-rule sets (NftNames.MergedSet) are the only concatenation sets with <c>flags interval</c>.</summary>
    public static bool IsCalicoIntervalSet(string set) =>
        set.StartsWith("calim4-", StringComparison.Ordinal) || set.StartsWith("calim6-", StringComparison.Ordinal);

    public static bool TryEncode(NftRule rule, Func<string, bool> isIntervalSet, out NfTablesRule? encoded, out string? reason)
    {
        encoded = null;
        try
        {
            var encoder = new NfTablesRuleEncoder(isIntervalSet);
            foreach (NftStatement statement in rule.Statements)
            {
                encoder.Encode(statement);
            }

            string? comment = rule.Comment;
            if (comment is not null && (comment.Length > CommentMaxLength || !IsPrintableAscii(comment)))
            {
                throw new UnsupportedException($"unsupported comment (printable ASCII, at most {CommentMaxLength} characters)");
            }

            encoded = new NfTablesRule(rule.Text, encoder.MergedExpressions(), encoder._sets.ToArray(), comment);
            reason = null;
            return true;
        }
        catch (UnsupportedException e)
        {
            reason = e.Message;
            return false;
        }
    }

    private void Encode(NftStatement statement)
    {
        switch (statement)
        {
            case NftMatch match:
                EncodeMatch(match);
                break;
            case NftMarkMatch mark:
                _expressions.Add(NftExpression.MetaLoad(NFT_META_MARK));
                _expressions.Add(NftExpression.Bitwise(HostBytes(mark.Mask), HostBytes(0), sendOperation: false));
                _expressions.Add(NftExpression.Compare(mark.Negated ? NFT_CMP_NEQ : NFT_CMP_EQ, HostBytes(mark.Value & mark.Mask)));
                break;
            case NftMarkSet set:
                _expressions.Add(NftExpression.MetaLoad(NFT_META_MARK));
                _expressions.Add(set.Operation == NftMarkOperation.And
                    ? NftExpression.Bitwise(HostBytes(set.Value), HostBytes(0), sendOperation: true)
                    : NftExpression.Bitwise(HostBytes(~set.Value), HostBytes(set.Value), sendOperation: true));
                _expressions.Add(NftExpression.MetaSet(NFT_META_MARK));
                break;
            case NftFib fib:
                EncodeFib(fib);
                break;
            case NftFibLocalDestination local:
                // nft: [ fib daddr type => reg 1 ] [ cmp eq|neq reg 1 0x00000002 ] (RTN_LOCAL, host order).
                _expressions.Add(NftExpression.Fib(NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE));
                _expressions.Add(NftExpression.Compare(local.Negated ? NFT_CMP_NEQ : NFT_CMP_EQ, HostBytes(RTN_LOCAL)));
                break;
            case NftCounter:
                _expressions.Add(NftExpression.Counter());
                break;
            case NftLog log:
                EncodeLog(log);
                break;
            case NftMasquerade masquerade:
                EncodeMasquerade(masquerade);
                break;
            case NftNat nat:
                EncodeNat(nat);
                break;
            case NftNoTrack:
                EncodeNoTrack();
                break;
            case NftVerdict verdict:
                _expressions.Add(NftExpression.Verdict(
                    verdict.Kind switch
                    {
                        NftVerdictKind.Accept => NF_ACCEPT,
                        NftVerdictKind.Drop => NF_DROP,
                        NftVerdictKind.Return => NFT_RETURN,
                        NftVerdictKind.Jump => NFT_JUMP,
                        _ => NFT_GOTO,
                    },
                    verdict.Chain));
                break;
            case NftVerdictMap map:
                _expressions.Add(NftExpression.MetaLoad(InterfaceKey(map.Field)));
                _expressions.Add(NftExpression.LookupNamed(map.Map, invert: false, verdictMap: true));
                break;
            default:
                throw new UnsupportedException($"unsupported statement '{statement}'");
        }
    }

    private void EncodeMatch(NftMatch match)
    {
        if (match.IsConcatenation)
        {
            EncodeFieldMatch(match);
            return;
        }

        switch (match.Fields[0])
        {
            case NftField.MetaNfproto:
                EncodeNfproto(match);
                break;
            case NftField.CtState:
                EncodeCtState(match);
                break;
            case NftField.CtStatus:
                EncodeCtStatus(match);
                break;
            case NftField.IifName:
            case NftField.OifName:
                EncodeInterface(match);
                break;
            default:
                EncodeFieldMatch(match);
                break;
        }
    }

    private void EncodeNfproto(NftMatch match)
    {
        if (match.Value is not NftNfproto { Family: int family })
        {
            throw new UnsupportedException($"unsupported meta nfproto value '{match.Value}'");
        }

        _expressions.Add(NftExpression.MetaLoad(NFT_META_NFPROTO));
        _expressions.Add(NftExpression.Compare(match.Negated ? NFT_CMP_NEQ : NFT_CMP_EQ, [(byte)(family == 4 ? 2 : 10)]));
        if (!match.Negated)
        {
            if (_network != 0 && _network != family)
            {
                throw new UnsupportedException("conflicting meta nfproto matches");
            }

            _network = family;
        }
    }

    /// <summary><c>ct state a,b</c>: a bit test, as nft does for the ct_state bitmask type.</summary>
    private void EncodeCtState(NftMatch match)
    {
        if (match.Value is not NftCtState { States: var states })
        {
            throw new UnsupportedException($"unsupported ct state '{match.Value}'");
        }

        uint bits = (uint)states;
        _expressions.Add(NftExpression.CtLoad(NFT_CT_STATE));
        if (match.Negated)
        {
            // nft compares a single negated state for inequality instead of testing its bit.
            if ((bits & (bits - 1)) != 0)
            {
                throw new UnsupportedException("a negated list of ct states");
            }

            _expressions.Add(NftExpression.Compare(NFT_CMP_NEQ, HostBytes(bits)));
            return;
        }

        _expressions.Add(NftExpression.Bitwise(HostBytes(bits), HostBytes(0), sendOperation: false));
        _expressions.Add(NftExpression.Compare(NFT_CMP_NEQ, HostBytes(0)));
    }

    /// <summary><c>ct status dnat</c>: the status bit set (nft's bit test).</summary>
    private void EncodeCtStatus(NftMatch match)
    {
        if (match.Value is not NftCtStatus { Bit: var bit } || match.Negated)
        {
            throw new UnsupportedException($"unsupported ct status '{match.Value}'");
        }

        _expressions.Add(NftExpression.CtLoad(NFT_CT_STATUS));
        _expressions.Add(NftExpression.Bitwise(HostBytes(bit), HostBytes(0), sendOperation: false));
        _expressions.Add(NftExpression.Compare(NFT_CMP_NEQ, HostBytes(0)));
    }

    /// <summary><c>iifname "eth0"</c> (16 bytes, NUL padded) or <c>"cali*"</c> (a prefix compare).</summary>
    private void EncodeInterface(NftMatch match)
    {
        if (match.Value is not NftInterfaceName { Name: var bare, Wildcard: var wildcard } || !IsPrintableAscii(bare))
        {
            throw new UnsupportedException($"{NftFields.TextOf(match.Fields[0])} wants an interface name, not '{match.Value}'");
        }

        byte[] bytes = new byte[wildcard ? bare.Length : 16];
        for (int i = 0; i < bare.Length; i++)
        {
            bytes[i] = (byte)bare[i];
        }

        _expressions.Add(NftExpression.MetaLoad(InterfaceKey(match.Fields[0])));
        _expressions.Add(NftExpression.Compare(match.Negated ? NFT_CMP_NEQ : NFT_CMP_EQ, bytes));
    }

    private static uint InterfaceKey(NftField field) => field switch
    {
        NftField.IifName => NFT_META_IIFNAME,
        NftField.OifName => NFT_META_OIFNAME,
        _ => throw new UnsupportedException($"a verdict map keyed by {NftFields.TextOf(field)}"),
    };

    /// <summary>
    /// <c>fib saddr|daddr [. iif] [. mark] oif exists|missing</c>: a route lookup whose result is only tested for presence;
    /// nft loads a boolean and compares 4 bytes.
    /// </summary>
    private void EncodeFib(NftFib fib)
    {
        uint flags = NFTA_FIB_F_PRESENT;
        flags |= (fib.Flags & NftFibFlags.Saddr) != 0 ? NFTA_FIB_F_SADDR : NFTA_FIB_F_DADDR;
        if ((fib.Flags & NftFibFlags.Iif) != 0)
        {
            flags |= NFTA_FIB_F_IIF;
        }

        if ((fib.Flags & NftFibFlags.Mark) != 0)
        {
            flags |= NFTA_FIB_F_MARK;
        }

        _expressions.Add(NftExpression.Fib(flags, NFT_FIB_RESULT_OIF));
        _expressions.Add(NftExpression.Compare(NFT_CMP_EQ, HostBytes(fib.Exists ? 1u : 0u)));
    }

    /// <summary>meta mark and ct state live in registers in host order (this is a little-endian build).</summary>
    private static byte[] HostBytes(uint value)
    {
        byte[] bytes = new byte[4];
        Netlink.HostOrder.WriteUInt32(bytes, value);
        return bytes;
    }

    private static bool IsPrintableAscii(string text)
    {
        foreach (char c in text)
        {
            if (c < ' ' || c > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The refusal, caught in <see cref="TryEncode"/>: callers see a reason, never an exception.</summary>
    private sealed class UnsupportedException(string message) : Exception(message);
}
