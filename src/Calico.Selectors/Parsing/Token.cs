namespace Calico.Selectors.Parsing;

/// <summary>
/// One token. <see cref="Start"/> is the 0-based offset of its first character in the selector text
/// (the text length for <see cref="TokenKind.End"/>); <see cref="Value"/> is set for labels,
/// string literals (without quotes) and <c>has(label)</c>.
/// </summary>
internal readonly record struct Token(TokenKind Kind, int Start, string? Value = null)
{
    /// <summary>How an error message names this token.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Label => $"label '{Value}'",
        TokenKind.StringLiteral => Value!.Contains('"', StringComparison.Ordinal) ? $"string '{Value}'" : $"string \"{Value}\"",
        TokenKind.End => "the end of the selector",
        TokenKind.Has => $"'has({Value})'",
        _ => $"'{Spelling(Kind)}'",
    };

    public static string Spelling(TokenKind kind) => kind switch
    {
        TokenKind.LBrace => "{",
        TokenKind.RBrace => "}",
        TokenKind.Comma => ",",
        TokenKind.Eq => "==",
        TokenKind.Ne => "!=",
        TokenKind.In => "in",
        TokenKind.Not => "!",
        TokenKind.NotIn => "not in",
        TokenKind.Contains => "contains",
        TokenKind.StartsWith => "starts with",
        TokenKind.EndsWith => "ends with",
        TokenKind.All => "all()",
        TokenKind.Global => "global()",
        TokenKind.LParen => "(",
        TokenKind.RParen => ")",
        TokenKind.And => "&&",
        TokenKind.Or => "||",
        _ => kind.ToString(),
    };
}
