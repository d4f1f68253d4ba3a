namespace Calico.Selectors.Parsing;

/// <summary>
/// Produces tokens on demand, left to right, so the first error reported is the leftmost one.
/// Accepts exactly what upstream's tokenizer accepts: whitespace is space and tab only; strings
/// have no escapes; the word operators (<c>in</c>, <c>not in</c>, <c>contains</c>, ...) are
/// recognised only straight after a label and only at a word boundary, so a label may be named
/// <c>contains</c>.
/// </summary>
internal sealed class Lexer(string text)
{
    /// <summary>Upstream's <c>MaxLabelLength</c>.</summary>
    public const int MaxLabelLength = 512;

    private const string OperatorList = "==, !=, in, not in, contains, starts with or ends with";

    private readonly string _text = text;
    private int _pos;
    private Token _previous;

    /// <summary>Tokenises the whole text (the last token is <see cref="TokenKind.End"/>); for tests and tools.</summary>
    public static List<Token> Tokenize(string text)
    {
        var lexer = new Lexer(text);
        var tokens = new List<Token>();
        Token token;
        do
        {
            token = lexer.Next();
            tokens.Add(token);
        }
        while (token.Kind != TokenKind.End);
        return tokens;
    }

    public static bool IsLabelChar(char c) =>
        (uint)((c | 0x20) - 'a') <= 'z' - 'a' ||
        (uint)(c - '0') <= 9 ||
        c is '_' or '.' or '/' or '-';

    /// <summary>True if <paramref name="label"/> is a label name the grammar accepts (upstream <c>ValidLabel</c>).</summary>
    public static bool IsValidLabel(string label)
    {
        if (label.Length is 0 or > MaxLabelLength)
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!IsLabelChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public Token Next()
    {
        var token = Read();
        _previous = token;
        return token;
    }

    private Token Read()
    {
        SkipWhitespace();
        var start = _pos;
        if (start == _text.Length)
        {
            return new Token(TokenKind.End, start);
        }

        var c = _text[start];
        switch (c)
        {
            case '(': _pos++; return new Token(TokenKind.LParen, start);
            case ')': _pos++; return new Token(TokenKind.RParen, start);
            case '{': _pos++; return new Token(TokenKind.LBrace, start);
            case '}': _pos++; return new Token(TokenKind.RBrace, start);
            case ',': _pos++; return new Token(TokenKind.Comma, start);
            case '"' or '\'':
                var close = _text.IndexOf(c, start + 1);
                if (close < 0)
                {
                    var quoteName = c == '"' ? "double quote (\")" : "single quote (')";
                    throw SyntaxErrors.At(_text, start,
                        $"unterminated string literal: no closing {quoteName} for the one opened (strings have no escape sequences)");
                }

                _pos = close + 1;
                return new Token(TokenKind.StringLiteral, start, _text[(start + 1)..close]);
            case '=':
                return Pair(start, '=', TokenKind.Eq, "expected '==' (a single '=' is not an operator)");
            case '&':
                return Pair(start, '&', TokenKind.And, "expected '&&' (a single '&' is not an operator)");
            case '|':
                return Pair(start, '|', TokenKind.Or, "expected '||' (a single '|' is not an operator)");
            case '!':
                if (At(start + 1) == '=')
                {
                    _pos += 2;
                    return new Token(TokenKind.Ne, start);
                }

                _pos++;
                return new Token(TokenKind.Not, start);
            default:
                return _previous.Kind == TokenKind.Label ? ReadOperatorAfterLabel(start) : ReadWord(start);
        }
    }

    private Token Pair(int start, char c, TokenKind kind, string problem)
    {
        if (At(start + 1) != c)
        {
            throw SyntaxErrors.At(_text, start, problem);
        }

        _pos += 2;
        return new Token(kind, start);
    }

    private Token ReadOperatorAfterLabel(int start)
    {
        if (TryWords("contains", null))
        {
            return new Token(TokenKind.Contains, start);
        }

        if (TryWords("starts", "with"))
        {
            return new Token(TokenKind.StartsWith, start);
        }

        if (TryWords("ends", "with"))
        {
            return new Token(TokenKind.EndsWith, start);
        }

        if (TryWords("not", "in"))
        {
            return new Token(TokenKind.NotIn, start);
        }

        if (TryWords("in", null))
        {
            return new Token(TokenKind.In, start);
        }

        throw SyntaxErrors.At(_text, start,
            $"expected an operator ({OperatorList}) after label '{_previous.Value}', found {SyntaxErrors.DescribeAt(_text, start)}");
    }

    /// <summary>
    /// Matches <paramref name="first"/>, then optional space/tab and <paramref name="second"/>
    /// (so both "not in" and "notin" work), then a word boundary. Leaves the position alone on failure.
    /// </summary>
    private bool TryWords(string first, string? second)
    {
        var pos = _pos;
        if (!_text.AsSpan(pos).StartsWith(first, StringComparison.Ordinal))
        {
            return false;
        }

        pos += first.Length;
        if (second is not null)
        {
            while (At(pos) is ' ' or '\t')
            {
                pos++;
            }

            if (!_text.AsSpan(pos).StartsWith(second, StringComparison.Ordinal))
            {
                return false;
            }

            pos += second.Length;
        }

        if (pos < _text.Length && IsLabelChar(_text[pos]))
        {
            return false;
        }

        // Upstream trims whitespace after each word of a multi-word operator; harmless here
        // because the next Read skips it anyway.
        _pos = pos;
        return true;
    }

    private Token ReadWord(int start)
    {
        var rest = _text.AsSpan(start);
        if (rest.StartsWith("has(", StringComparison.Ordinal))
        {
            _pos = start + 4;
            SkipWhitespace();
            var label = ReadLabel("expected a label name inside 'has(...)'");
            SkipWhitespace();
            if (At(_pos) != ')')
            {
                throw SyntaxErrors.At(_text, _pos,
                    $"expected ')' to close 'has({label}', found {SyntaxErrors.DescribeAt(_text, _pos)}");
            }

            _pos++;
            return new Token(TokenKind.Has, start, label);
        }

        if (rest.StartsWith("all(", StringComparison.Ordinal))
        {
            return EmptyCall(start, 4, TokenKind.All, "all(");
        }

        if (rest.StartsWith("global(", StringComparison.Ordinal))
        {
            return EmptyCall(start, 7, TokenKind.Global, "global(");
        }

        var ident = ReadLabel(null);
        return new Token(TokenKind.Label, start, ident);
    }

    private Token EmptyCall(int start, int length, TokenKind kind, string opened)
    {
        _pos = start + length;
        SkipWhitespace();
        if (At(_pos) != ')')
        {
            throw SyntaxErrors.At(_text, _pos,
                $"expected ')' after '{opened}' (it takes no arguments), found {SyntaxErrors.DescribeAt(_text, _pos)}");
        }

        _pos++;
        return new Token(kind, start);
    }

    private string ReadLabel(string? problemIfMissing)
    {
        var start = _pos;
        var end = start;
        while (end < _text.Length && IsLabelChar(_text[end]))
        {
            end++;
        }

        if (end == start)
        {
            // Only reachable with problemIfMissing == null when a character starts no token at all.
            var problem = problemIfMissing is null
                ? $"unexpected {SyntaxErrors.DescribeChar(_text[start])}"
                : $"{problemIfMissing}, found {SyntaxErrors.DescribeAt(_text, start)}";
            throw SyntaxErrors.At(_text, start, problem);
        }

        if (end - start > MaxLabelLength)
        {
            throw SyntaxErrors.At(_text, start,
                $"label '{_text.AsSpan(start, 20)}...' is {end - start} characters long; the maximum is {MaxLabelLength}");
        }

        _pos = end;
        return _text[start..end];
    }

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t')
        {
            _pos++;
        }
    }

    private char At(int index) => index < _text.Length ? _text[index] : '\0';
}
