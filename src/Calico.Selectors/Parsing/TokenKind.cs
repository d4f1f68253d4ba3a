namespace Calico.Selectors.Parsing;

/// <summary>Lexical token kinds; names follow upstream's tokenizer so its test vectors read across.</summary>
internal enum TokenKind
{
    None,
    Label,
    StringLiteral,
    LBrace,
    RBrace,
    Comma,
    Eq,
    Ne,
    In,
    Not,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
    All,
    Has,
    LParen,
    RParen,
    And,
    Or,
    Global,
    End,
}
