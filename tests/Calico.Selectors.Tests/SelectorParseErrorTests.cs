namespace Calico.Selectors.Tests;

[Trait("Tier", "Unit")]
public sealed class SelectorParseErrorTests
{
    // Upstream parser_test.go badSelectors and section 4.3 row 38, with the column we report and
    // a fragment of what we say was expected.
    [Theory]
    [InlineData("b == b", 6, "expected a string literal after '=='")]
    [InlineData("b contains b", 12, "expected a string literal after 'contains'")]
    [InlineData("b starts with b", 15, "expected a string literal after 'starts with'")]
    [InlineData("b ends with b", 13, "expected a string literal after 'ends with'")]
    [InlineData("'b1' == b", 1, "a string literal may only follow an operator")]
    [InlineData("b", 2, "after label 'b' but the selector ended")]
    [InlineData("a b", 3, "expected an operator (==, !=, in, not in, contains, starts with or ends with) after label 'a', found 'b'")]
    [InlineData("!", 2, "expected a label, has(label), all(), global(), '!' or '(' but found the end of the selector")]
    [InlineData("foo == \"bar\" &", 14, "expected '&&'")]
    [InlineData("foo == \"bar\" |", 14, "expected '||'")]
    [InlineData("foo != ||", 8, "expected a string literal after '!=', found '||'")]
    [InlineData("foo in {\"\", ||", 13, "expected a string literal or '}' in the set, found '||'")]
    [InlineData("foo in \"\"", 8, "expected a set literal such as {\"a\", \"b\"} after 'in', found string \"\"")]
    [InlineData("\"FOO", 1, "unterminated string literal: no closing double quote")]
    [InlineData("\"FOO'", 1, "unterminated string literal: no closing double quote")]
    [InlineData("'FOO", 1, "unterminated string literal: no closing single quote")]
    [InlineData("(", 2, "but found the end of the selector")]
    [InlineData("(a == \"foo\"", 12, "expected '&&', '||' or the ')' closing the '(' from column 1, found the end of the selector")]
    [InlineData(")", 1, "expected a label, has(label), all(), global(), '!' or '(' but found ')'")]
    [InlineData("()", 2, "but found ')'")]
    [InlineData("%", 1, "unexpected character '%'")]
    [InlineData("a == \"b\" && %", 13, "unexpected character '%'")]
    [InlineData("a == \"b\" || %", 13, "unexpected character '%'")]
    [InlineData("a ", 3, "after label 'a' but the selector ended")]
    [InlineData("has(foo) &&", 12, "but found the end of the selector")]
    public void Parse_UpstreamBadSelector_ThrowsWithColumn(string text, int column, string expected) =>
        AssertSyntaxError(text, column, expected);

    // Upstream tokenizer_test.go inputs that must not tokenise.
    [Theory]
    [InlineData("label == \"value", 10, "unterminated string literal")]
    [InlineData("label == 'value", 10, "unterminated string literal")]
    [InlineData("label = \"value\"", 7, "expected '==' (a single '=' is not an operator)")]
    [InlineData("all(", 5, "expected ')' after 'all('")]
    [InlineData("global(", 8, "expected ')' after 'global('")]
    [InlineData("has()", 5, "expected a label name inside 'has(...)', found character ')'")]
    [InlineData("has(foo", 8, "expected ')' to close 'has(foo', found the end of the selector")]
    [InlineData("has( foo ", 10, "expected ')' to close 'has(foo'")]
    [InlineData("a == \"b\" & has(foo)", 10, "expected '&&'")]
    [InlineData("a == \"b\" | has(foo)", 10, "expected '||'")]
    [InlineData("label starts foo \"value\"", 7, "after label 'label', found 'starts'")]
    [InlineData("label inf \"value\"", 7, "found 'inf'")]
    [InlineData("label ends foo \"value\"", 7, "found 'ends'")]
    [InlineData("label ends withs \"value\"", 7, "found 'ends'")]
    [InlineData("label squiggles \"value\"", 7, "found 'squiggles'")]
    public void Parse_UpstreamBadTokens_ThrowsWithColumn(string text, int column, string expected) =>
        AssertSyntaxError(text, column, expected);

    // Inputs the token tests accept but the grammar rejects, and other operator mistakes.
    [Theory]
    [InlineData("a not in \"bar\" && !has(foo) || b in c", 10, "expected a set literal")]
    [InlineData("a == \"b\"\n", 9, "unexpected newline (only spaces and tabs may separate tokens)")]
    [InlineData("a == \"b\" &&\r\nc == \"d\"", 12, "unexpected carriage return")]
    [InlineData("a == \"b\" c == \"d\"", 10, "unexpected label 'c' after a complete expression; expected '&&', '||' or the end of the selector")]
    [InlineData("a == \"b\")", 9, "unexpected ')' after a complete expression")]
    [InlineData("a in {\"x\" \"y\"}", 11, "expected ',' or '}' in the set, found string \"y\"")]
    [InlineData("a in {\"x\"", 10, "expected ',' or '}' in the set, found the end of the selector")]
    [InlineData("a in {,}", 7, "expected a string literal or '}' in the set, found ','")]
    [InlineData("a ==", 5, "expected a string literal after '==' but the selector ended")]
    [InlineData("a == \"x\" && && b == \"y\"", 13, "but found '&&'")]
    [InlineData("has (a)", 5, "expected an operator (==, !=, in, not in, contains, starts with or ends with) after label 'has', found '('")]
    [InlineData("a !== \"x\"", 5, "expected '=='")]
    [InlineData("a has(b)", 3, "after label 'a', found 'has'")]
    [InlineData("a == 'x' || \t!", 15, "but found the end of the selector")]
    [InlineData("a == b\u00e9", 6, "expected a string literal after '=='")]
    [InlineData("\u00e9 == \"x\"", 1, "unexpected character '\u00e9'")]
    public void Parse_OtherMistakes_ThrowsWithColumn(string text, int column, string expected) =>
        AssertSyntaxError(text, column, expected);

    [Fact]
    public void Parse_LabelOf512Characters_Accepted()
    {
        var label = new string('a', 512);
        var selector = Selector.Parse(label + " == \"value\"");
        Assert.True(selector.Matches(new Dictionary<string, string> { [label] = "value" }));
    }

    [Fact]
    public void Parse_LabelOf513Characters_ThrowsAtLabel()
    {
        var error = Assert.Throws<SelectorSyntaxException>(() => Selector.Parse("a == 'x' && " + new string('a', 513) + " == \"value\""));
        Assert.Equal(13, error.Column);
        Assert.Contains("is 513 characters long; the maximum is 512", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LabelOf513CharactersInHas_Throws()
    {
        var error = Assert.Throws<SelectorSyntaxException>(() => Selector.Parse("has(" + new string('a', 513) + ")"));
        Assert.Equal(5, error.Column);
    }

    [Fact]
    public void Parse_ReferenceExample_HasExactMessage()
    {
        var error = Assert.Throws<SelectorSyntaxException>(() => Selector.Parse("b == b"));
        Assert.Equal("selector: expected a string literal after '==' at column 6: b == b", error.Message);
        Assert.Equal(6, error.Column);
        Assert.Equal("b == b", error.Text);
    }

    [Fact]
    public void Parse_NewlineInSelector_MessageStaysOnOneLine()
    {
        var error = Assert.Throws<SelectorSyntaxException>(() => Selector.Parse("a == \"b\"\n&& c == \"d\""));
        Assert.DoesNotContain('\n', error.Message);
        Assert.EndsWith("a == \"b\"\\n&& c == \"d\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNull() =>
        Assert.Throws<ArgumentNullException>(() => Selector.Parse(null!));

    [Fact]
    public void TryParse_BadSelector_ReturnsErrorWithoutThrowing()
    {
        Assert.False(Selector.TryParse("a ==", out var selector, out var error));
        Assert.Null(selector);
        Assert.Equal(5, error.Column);
        Assert.True(Selector.TryParse("a == 'b'", out selector, out error));
        Assert.Null(error);
        Assert.Equal("a == \"b\"", selector.Canonical);
    }

    private static void AssertSyntaxError(string text, int column, string expected)
    {
        var error = Assert.Throws<SelectorSyntaxException>(() => Selector.Parse(text));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("selector: ", error.Message, StringComparison.Ordinal);
        Assert.Contains($" at column {column}: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(column, error.Column);
        Assert.Equal(text, error.Text);
    }
}
