using System.Globalization;
using static Calico.Linux.Nft.NfTablesRuleAttributes;

namespace Calico.Linux.Nft;

/// <summary>
/// Rule text (the grammar Calico.Felix.Rules renders) to the expressions nft 1.0.6 generates for it in an inet table,
/// including nft's implicit dependencies (<c>ip saddr</c> gets <c>meta nfproto ipv4</c> unless the family is already
/// known, <c>icmp type</c> gets <c>meta l4proto icmp</c>, <c>th</c> gets nothing) and nft's simplifications (a
/// one-element anonymous set becomes a comparison, a byte-aligned prefix loads only its bytes, a port range is two
/// comparisons or a negated range). Anything else is refused with a reason so the caller falls back to <c>nft -f</c>.
/// One instance per compilation; not thread-safe.
/// </summary>
internal sealed partial class NftRuleCompiler
{
    private readonly List<Token> _tokens;
    private readonly Func<string, bool> _isIntervalSet;
    private readonly List<NftExpression> _expressions = new(12);
    private readonly List<NftAnonymousSet> _sets = [];
    private int _position;
    private string? _comment;
    private bool _terminal;

    /// <summary>0 while unknown, else 4 or 6: set by <c>meta nfproto</c> or an implicit dependency.</summary>
    private int _network;

    /// <summary>-1 while unknown, else the protocol matched by <c>meta l4proto</c> (explicit or implicit).</summary>
    private int _transport = -1;

    private NftRuleCompiler(List<Token> tokens, Func<string, bool> isIntervalSet)
    {
        _tokens = tokens;
        _isIntervalSet = isIntervalSet;
    }

    /// <summary>Calico's merged-rule sets (NftNames.MergedSet) are the only concatenation sets with <c>flags interval</c>.</summary>
    public static bool IsCalicoIntervalSet(string set) =>
        set.StartsWith("calim4-", StringComparison.Ordinal) || set.StartsWith("calim6-", StringComparison.Ordinal);

    public static bool TryCompile(string text, Func<string, bool> isIntervalSet, out NfTablesRule? rule, out string? reason)
    {
        rule = null;
        try
        {
            var compiler = new NftRuleCompiler(Tokenize(text), isIntervalSet);
            compiler.CompileStatements();
            rule = new NfTablesRule(text, compiler.MergedExpressions(), compiler._sets.ToArray(), compiler._comment);
            reason = null;
            return true;
        }
        catch (UnsupportedException e)
        {
            reason = e.Message;
            return false;
        }
    }

    private void CompileStatements()
    {
        if (_tokens.Count == 0)
        {
            throw new UnsupportedException("empty rule");
        }

        while (_position < _tokens.Count)
        {
            Token token = Next();
            if (token.Kind != TokenKind.Word)
            {
                throw new UnsupportedException($"unexpected {token.Describe()} where a statement starts");
            }

            if (token.Text == "comment")
            {
                CompileComment();
                continue;
            }

            if (_comment is not null)
            {
                throw new UnsupportedException($"statement '{token.Text}' after the comment");
            }

            if (_terminal)
            {
                throw new UnsupportedException($"statement '{token.Text}' after the verdict");
            }

            CompileStatement(token.Text);
        }
    }

    private void CompileStatement(string keyword)
    {
        switch (keyword)
        {
            case "meta":
                CompileMeta();
                break;
            case "ct":
                CompileCtState();
                break;
            case "iifname":
                CompileInterface(NFT_META_IIFNAME, keyword);
                break;
            case "oifname":
                CompileInterface(NFT_META_OIFNAME, keyword);
                break;
            case "ip":
            case "ip6":
            case "th":
            case "icmp":
            case "icmpv6":
                CompileMatch(ReadField(keyword));
                break;
            case "fib":
                CompileFib();
                break;
            case "counter":
                _expressions.Add(NftExpression.Counter());
                break;
            case "log":
                CompileLog();
                break;
            case "masquerade":
                CompileMasquerade();
                break;
            case "accept":
                Verdict(NF_ACCEPT, null);
                break;
            case "drop":
                Verdict(NF_DROP, null);
                break;
            case "return":
                Verdict(NFT_RETURN, null);
                break;
            case "jump":
                Verdict(NFT_JUMP, ReadChainName(keyword));
                break;
            case "goto":
                Verdict(NFT_GOTO, ReadChainName(keyword));
                break;
            default:
                throw new UnsupportedException($"unsupported statement '{keyword}'");
        }
    }

    private void CompileMeta()
    {
        string key = NextWord("meta key");
        switch (key)
        {
            case "nfproto":
                CompileNfproto();
                break;
            case "l4proto":
                CompileMatch(Field.MetaL4proto);
                break;
            case "mark":
                CompileMark();
                break;
            default:
                throw new UnsupportedException($"unsupported meta key '{key}'");
        }
    }

    private void CompileNfproto()
    {
        bool negated = TryRead("!=");
        string value = NextWord("meta nfproto value");
        int family = value switch
        {
            "ipv4" => 4,
            "ipv6" => 6,
            _ => throw new UnsupportedException($"unsupported meta nfproto value '{value}'"),
        };
        _expressions.Add(NftExpression.MetaLoad(NFT_META_NFPROTO));
        _expressions.Add(NftExpression.Compare(negated ? NFT_CMP_NEQ : NFT_CMP_EQ, [(byte)(family == 4 ? 2 : 10)]));
        if (!negated)
        {
            if (_network != 0 && _network != family)
            {
                throw new UnsupportedException("conflicting meta nfproto matches");
            }

            _network = family;
        }
    }

    /// <summary><c>meta mark &amp; M == V</c> (or <c>!=</c>), <c>meta mark set meta mark &amp; M</c>, <c>meta mark set meta mark | V</c>.</summary>
    private void CompileMark()
    {
        if (TryRead("set"))
        {
            Expect("meta");
            Expect("mark");
            string op = NextWord("'&' or '|'");
            uint value = ReadUInt32("mark value");
            _expressions.Add(NftExpression.MetaLoad(NFT_META_MARK));
            switch (op)
            {
                case "&":
                    _expressions.Add(NftExpression.Bitwise(HostBytes(value), HostBytes(0), sendOperation: true));
                    break;
                case "|":
                    _expressions.Add(NftExpression.Bitwise(HostBytes(~value), HostBytes(value), sendOperation: true));
                    break;
                default:
                    throw new UnsupportedException($"unsupported mark operation '{op}'");
            }

            _expressions.Add(NftExpression.MetaSet(NFT_META_MARK));
            return;
        }

        Expect("&");
        uint mask = ReadUInt32("mark mask");
        string relation = NextWord("'==' or '!='");
        uint expected = ReadUInt32("mark value");
        uint cmp = relation switch
        {
            "==" => NFT_CMP_EQ,
            "!=" => NFT_CMP_NEQ,
            _ => throw new UnsupportedException($"unsupported mark relation '{relation}'"),
        };
        _expressions.Add(NftExpression.MetaLoad(NFT_META_MARK));
        _expressions.Add(NftExpression.Bitwise(HostBytes(mask), HostBytes(0), sendOperation: false));
        _expressions.Add(NftExpression.Compare(cmp, HostBytes(expected & mask)));
    }

    /// <summary><c>ct state a,b</c>: a bit test, as nft does for the ct_state bitmask type.</summary>
    private void CompileCtState()
    {
        Expect("state");
        bool negated = TryRead("!=");
        string list = NextWord("ct state");
        uint bits = 0;
        foreach (string name in list.Split(','))
        {
            bits |= name switch
            {
                "invalid" => 1u,
                "established" => 2u,
                "related" => 4u,
                "new" => 8u,
                "untracked" => 64u,
                _ => throw new UnsupportedException($"unsupported ct state '{name}'"),
            };
        }

        _expressions.Add(NftExpression.CtLoad(NFT_CT_STATE));
        if (negated)
        {
            // nft compares a single negated state for inequality instead of testing its bit.
            if (list.Contains(',', StringComparison.Ordinal))
            {
                throw new UnsupportedException("a negated list of ct states");
            }

            _expressions.Add(NftExpression.Compare(NFT_CMP_NEQ, HostBytes(bits)));
            return;
        }

        _expressions.Add(NftExpression.Bitwise(HostBytes(bits), HostBytes(0), sendOperation: false));
        _expressions.Add(NftExpression.Compare(NFT_CMP_NEQ, HostBytes(0)));
    }

    /// <summary><c>iifname "eth0"</c> (16 bytes, NUL padded), <c>"cali*"</c> (a prefix compare), <c>vmap @map</c>.</summary>
    private void CompileInterface(uint metaKey, string keyword)
    {
        if (TryRead("vmap"))
        {
            string map = ReadSetReference(keyword + " vmap");
            _expressions.Add(NftExpression.MetaLoad(metaKey));
            _expressions.Add(NftExpression.LookupNamed(map, invert: false, verdictMap: true));
            _terminal = true;
            return;
        }

        bool negated = TryRead("!=");
        Token name = Next();
        if (name.Kind != TokenKind.Quoted)
        {
            throw new UnsupportedException($"{keyword} wants a quoted interface name, not {name.Describe()}");
        }

        string text = name.Text;
        bool wildcard = text.EndsWith('*');
        string bare = wildcard ? text[..^1] : text;
        if (bare.Length == 0 || bare.Length > 15 || bare.AsSpan().IndexOfAny("*\\\"") >= 0 || !IsPrintableAscii(bare))
        {
            throw new UnsupportedException($"unsupported interface name \"{text}\"");
        }

        byte[] bytes = new byte[wildcard ? bare.Length : 16];
        for (int i = 0; i < bare.Length; i++)
        {
            bytes[i] = (byte)bare[i];
        }

        _expressions.Add(NftExpression.MetaLoad(metaKey));
        _expressions.Add(NftExpression.Compare(negated ? NFT_CMP_NEQ : NFT_CMP_EQ, bytes));
    }

    private void CompileLog()
    {
        Expect("prefix");
        Token prefix = Next();
        if (prefix.Kind != TokenKind.Quoted || prefix.Text.Length > 127 || !IsPrintableAscii(prefix.Text))
        {
            throw new UnsupportedException("log wants prefix \"text\" (printable, at most 127 characters)");
        }

        if (_position < _tokens.Count && _tokens[_position] is { Kind: TokenKind.Word, Text: "level" or "flags" or "group" })
        {
            throw new UnsupportedException($"unsupported log option '{_tokens[_position].Text}'");
        }

        _expressions.Add(NftExpression.Log(prefix.Text));
    }

    /// <summary>
    /// <c>fib saddr|daddr [. iif] [. mark] oif exists|missing</c>: a route lookup whose result is only tested for presence
    /// (the reverse-path check <c>fib saddr . iif oif missing</c>); nft loads a boolean and compares 4 bytes. The kernel
    /// refuses <c>. oif</c> with the <c>oif</c> result, so it is refused here too.
    /// </summary>
    private void CompileFib()
    {
        uint flags = NextWord("fib key") switch
        {
            "saddr" => NFTA_FIB_F_SADDR,
            "daddr" => NFTA_FIB_F_DADDR,
            string other => throw new UnsupportedException($"unsupported fib key '{other}'"),
        };
        while (TryRead("."))
        {
            string modifier = NextWord("fib modifier");
            uint bit = modifier switch
            {
                "iif" => NFTA_FIB_F_IIF,
                "mark" => NFTA_FIB_F_MARK,
                _ => throw new UnsupportedException($"unsupported fib modifier '{modifier}'"),
            };
            if ((flags & bit) != 0)
            {
                throw new UnsupportedException($"fib modifier '{modifier}' twice");
            }

            flags |= bit;
        }

        Expect("oif");
        string test = NextWord("'exists' or 'missing'");
        uint present = test switch
        {
            "exists" => 1u,
            "missing" => 0u,
            _ => throw new UnsupportedException($"unsupported fib result test '{test}'"),
        };
        _expressions.Add(NftExpression.Fib(flags | NFTA_FIB_F_PRESENT, NFT_FIB_RESULT_OIF));
        _expressions.Add(NftExpression.Compare(NFT_CMP_EQ, HostBytes(present)));
    }

    private void CompileMasquerade()
    {
        uint flags = 0;
        if (TryRead("fully-random"))
        {
            flags = NF_NAT_RANGE_PROTO_RANDOM_FULLY;
        }

        _expressions.Add(NftExpression.Masquerade(flags));
    }

    private void CompileComment()
    {
        Token text = Next();
        if (text.Kind != TokenKind.Quoted)
        {
            throw new UnsupportedException($"comment wants a quoted string, not {text.Describe()}");
        }

        if (_comment is not null)
        {
            throw new UnsupportedException("two comments");
        }

        if (text.Text.Length > CommentMaxLength || !IsPrintableAscii(text.Text))
        {
            throw new UnsupportedException($"unsupported comment (printable ASCII, at most {CommentMaxLength} characters)");
        }

        _comment = text.Text;
    }

    private void Verdict(int code, string? chain)
    {
        _expressions.Add(NftExpression.Verdict(code, chain));
        _terminal = true;
    }

    private string ReadChainName(string keyword)
    {
        string name = NextWord(keyword + " target");
        if (!IsName(name))
        {
            throw new UnsupportedException($"unsupported chain name '{name}'");
        }

        return name;
    }

    /// <summary><c>@name</c> of a named set or map.</summary>
    private string ReadSetReference(string what)
    {
        string word = NextWord(what);
        if (word.Length < 2 || word[0] != '@' || !IsName(word[1..]))
        {
            throw new UnsupportedException($"{what} wants @set, not '{word}'");
        }

        return word[1..];
    }

    private uint ReadUInt32(string what)
    {
        string word = NextWord(what);
        bool parsed = word.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(word.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value)
            : uint.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return parsed ? value : throw new UnsupportedException($"'{word}' is not a 32-bit {what}");
    }

    /// <summary>meta mark and ct state live in registers in host order (this is a little-endian build).</summary>
    private static byte[] HostBytes(uint value)
    {
        byte[] bytes = new byte[4];
        Netlink.HostOrder.WriteUInt32(bytes, value);
        return bytes;
    }

    private static bool IsName(string name)
    {
        if (name.Length == 0 || name.Length > 255)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or '/'))
            {
                return false;
            }
        }

        return true;
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

    /// <summary>The refusal, caught in <see cref="TryCompile"/>: callers see a reason, never an exception.</summary>
    private sealed class UnsupportedException(string message) : Exception(message);
}
