namespace Calico.Selectors.Parsing;

/// <summary>
/// Recursive descent over the lexer's tokens:
/// <code>
/// selector := (empty) | or
/// or       := and ("||" and)*
/// and      := unary ("&amp;&amp;" unary)*
/// unary    := "!"* primary          -- parity of the "!"s decides negation
/// primary  := has(label) | all() | global() | "(" or ")"
///           | label ("=="|"!="|contains|starts with|ends with) string
///           | label ("in"|"not in") "{" [string ("," string)*] [","] "}"
/// </code>
/// Like upstream: a single-operand group is not wrapped (so "(a)" is just a), "!" binds to one
/// operation, a set may end with a trailing comma, and nested groups are not flattened.
/// Each "(" costs four stack frames here and more in every tree walk after it, so the nesting is
/// capped (<see cref="Selector.MaxNesting"/>) and so is the length (<see cref="Selector.MaxLength"/>):
/// selectors come from the datastore, and a stack overflow kills the process with no log line.
/// </summary>
internal sealed class Parser
{
    private readonly string _text;
    private readonly Lexer _lexer;
    private Token _current;
    private int _depth;
    private int _maxDepth;

    private Parser(string text)
    {
        _text = text;
        _lexer = new Lexer(text);
        _current = _lexer.Next();
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="nesting"/> is the deepest parenthesis level it reached.</summary>
    public static SelectorNode Parse(string text, out int nesting)
    {
        if (text.Length > Selector.MaxLength)
        {
            throw SyntaxErrors.At(text, Selector.MaxLength, $"selector is {text.Length} characters long; the limit is {Selector.MaxLength}");
        }

        var parser = new Parser(text);
        nesting = 0;
        if (parser._current.Kind == TokenKind.End)
        {
            return AllNode.Instance;
        }

        var root = parser.ParseOr();
        nesting = parser._maxDepth;
        if (parser._current.Kind != TokenKind.End)
        {
            throw parser.Error($"unexpected {parser._current.Describe()} after a complete expression; expected '&&', '||' or the end of the selector");
        }

        return root;
    }

    private void Advance() => _current = _lexer.Next();

    private SelectorNode ParseOr()
    {
        var first = ParseAnd();
        if (_current.Kind != TokenKind.Or)
        {
            return first;
        }

        var operands = new List<SelectorNode> { first };
        while (_current.Kind == TokenKind.Or)
        {
            Advance();
            operands.Add(ParseAnd());
        }

        return new OrNode([.. operands]);
    }

    private SelectorNode ParseAnd()
    {
        var first = ParseUnary();
        if (_current.Kind != TokenKind.And)
        {
            return first;
        }

        var operands = new List<SelectorNode> { first };
        while (_current.Kind == TokenKind.And)
        {
            Advance();
            operands.Add(ParseUnary());
        }

        return new AndNode([.. operands]);
    }

    private SelectorNode ParseUnary()
    {
        var negated = false;
        while (_current.Kind == TokenKind.Not)
        {
            negated = !negated;
            Advance();
        }

        var operation = ParsePrimary();
        return negated ? new NotNode(operation) : operation;
    }

    private SelectorNode ParsePrimary()
    {
        var token = _current;
        switch (token.Kind)
        {
            case TokenKind.Has:
                Advance();
                return new HasNode(token.Value!);
            case TokenKind.All:
                Advance();
                return AllNode.Instance;
            case TokenKind.Global:
                Advance();
                return GlobalNode.Instance;
            case TokenKind.LParen:
                if (_depth == Selector.MaxNesting)
                {
                    throw Error($"parentheses nested deeper than {Selector.MaxNesting} levels");
                }

                _depth++;
                _maxDepth = Math.Max(_maxDepth, _depth);
                Advance();
                var inner = ParseOr();
                _depth--;
                if (_current.Kind != TokenKind.RParen)
                {
                    throw Error($"expected '&&', '||' or the ')' closing the '(' from column {token.Start + 1}, found {_current.Describe()}");
                }

                Advance();
                return inner;
            case TokenKind.Label:
                Advance();
                return ParseLabelOperation(token.Value!);
            case TokenKind.StringLiteral:
                throw Error($"unexpected {token.Describe()}: a string literal may only follow an operator, the label goes on the left (e.g. label == \"value\")");
            default:
                throw Error($"expected a label, has(label), all(), global(), '!' or '(' but found {token.Describe()}");
        }
    }

    private SelectorNode ParseLabelOperation(string label)
    {
        var op = _current;
        var comparison = op.Kind switch
        {
            TokenKind.Eq => ComparisonOperator.Equal,
            TokenKind.Ne => ComparisonOperator.NotEqual,
            TokenKind.Contains => ComparisonOperator.Contains,
            TokenKind.StartsWith => ComparisonOperator.StartsWith,
            TokenKind.EndsWith => ComparisonOperator.EndsWith,
            _ => (ComparisonOperator?)null,
        };

        if (comparison is { } cmp)
        {
            Advance();
            var value = ExpectString($"after '{Token.Spelling(op.Kind)}'");
            return new LabelComparisonNode(label, cmp, value);
        }

        if (op.Kind is TokenKind.In or TokenKind.NotIn)
        {
            Advance();
            return new LabelSetNode(label, op.Kind == TokenKind.NotIn, ParseSet(op.Kind));
        }

        throw Error(op.Kind == TokenKind.End
            ? $"expected an operator (==, !=, in, not in, contains, starts with or ends with) after label '{label}' but the selector ended"
            : $"expected an operator (==, !=, in, not in, contains, starts with or ends with) after label '{label}', found {op.Describe()}");
    }

    private string[] ParseSet(TokenKind op)
    {
        if (_current.Kind != TokenKind.LBrace)
        {
            throw Error($"expected a set literal such as {{\"a\", \"b\"}} after '{Token.Spelling(op)}', found {_current.Describe()}");
        }

        Advance();
        var values = new List<string>();
        while (_current.Kind == TokenKind.StringLiteral)
        {
            values.Add(_current.Value!);
            Advance();
            if (_current.Kind != TokenKind.Comma)
            {
                if (_current.Kind != TokenKind.RBrace)
                {
                    throw Error($"expected ',' or '}}' in the set, found {_current.Describe()}");
                }

                break;
            }

            Advance();
        }

        if (_current.Kind != TokenKind.RBrace)
        {
            throw Error($"expected a string literal or '}}' in the set, found {_current.Describe()}");
        }

        Advance();
        return SortedDistinct(values);
    }

    private string ExpectString(string context)
    {
        if (_current.Kind != TokenKind.StringLiteral)
        {
            throw Error(_current.Kind switch
            {
                TokenKind.End => $"expected a string literal {context} but the selector ended",
                TokenKind.Label => $"expected a string literal {context}",
                _ => $"expected a string literal {context}, found {_current.Describe()}",
            });
        }

        var value = _current.Value!;
        Advance();
        return value;
    }

    private static string[] SortedDistinct(List<string> values)
    {
        if (values.Count <= 1)
        {
            return [.. values];
        }

        values.Sort(CodePointComparer.Instance);
        var distinct = new List<string>(values.Count) { values[0] };
        for (var i = 1; i < values.Count; i++)
        {
            if (!string.Equals(values[i], distinct[^1], StringComparison.Ordinal))
            {
                distinct.Add(values[i]);
            }
        }

        return [.. distinct];
    }

    private SelectorSyntaxException Error(string problem) => SyntaxErrors.At(_text, _current.Start, problem);
}
