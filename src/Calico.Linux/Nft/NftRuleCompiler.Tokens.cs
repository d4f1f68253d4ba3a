namespace Calico.Linux.Nft;

/// <summary>The rule text as words, quoted strings and brace groups (the renderer separates every token by a space).</summary>
internal sealed partial class NftRuleCompiler
{
    private enum TokenKind
    {
        Word,
        Quoted,
        Braces,
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>(24);
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is ' ' or '\t')
            {
                i++;
                continue;
            }

            if (c == '"')
            {
                // nft's scanner has no escapes inside quotes: the string ends at the next quote.
                int end = text.IndexOf('"', i + 1);
                if (end < 0)
                {
                    throw new UnsupportedException("unterminated quoted string");
                }

                tokens.Add(new Token(TokenKind.Quoted, text[(i + 1)..end]));
                i = end + 1;
                continue;
            }

            if (c == '{')
            {
                int end = text.IndexOf('}', i + 1);
                if (end < 0)
                {
                    throw new UnsupportedException("unterminated '{'");
                }

                tokens.Add(new Token(TokenKind.Braces, text[(i + 1)..end].Trim()));
                i = end + 1;
                continue;
            }

            if (c < ' ' || c > '~' || c == '}')
            {
                throw new UnsupportedException($"unexpected character '{c}'");
            }

            int stop = i;
            while (stop < text.Length && text[stop] is not (' ' or '\t' or '"' or '{' or '}'))
            {
                stop++;
            }

            tokens.Add(new Token(TokenKind.Word, text[i..stop]));
            i = stop;
        }

        return tokens;
    }

    private Token Next()
    {
        if (_position >= _tokens.Count)
        {
            throw new UnsupportedException("rule ends too early");
        }

        return _tokens[_position++];
    }

    private string NextWord(string what)
    {
        if (_position >= _tokens.Count)
        {
            throw new UnsupportedException($"rule ends where {what} is expected");
        }

        Token token = _tokens[_position++];
        return token.Kind == TokenKind.Word ? token.Text : throw new UnsupportedException($"expected {what}, found {token.Describe()}");
    }

    private bool PeekWord(string word) =>
        _position < _tokens.Count && _tokens[_position].Kind == TokenKind.Word && _tokens[_position].Text == word;

    private bool TryRead(string word)
    {
        if (!PeekWord(word))
        {
            return false;
        }

        _position++;
        return true;
    }

    private void Expect(string word)
    {
        if (!TryRead(word))
        {
            string found = _position < _tokens.Count ? _tokens[_position].Describe() : "the end of the rule";
            throw new UnsupportedException($"expected '{word}', found {found}");
        }
    }

    private readonly record struct Token(TokenKind Kind, string Text)
    {
        public string Describe() => Kind switch
        {
            TokenKind.Quoted => "\"" + Text + "\"",
            TokenKind.Braces => "{ " + Text + " }",
            _ => "'" + Text + "'",
        };
    }
}
