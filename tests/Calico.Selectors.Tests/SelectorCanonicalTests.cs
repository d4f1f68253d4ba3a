namespace Calico.Selectors.Tests;

[Trait("Tier", "Unit")]
public sealed class SelectorCanonicalTests
{
    // Upstream parser_test.go canonicalisationTests plus section 4.3 rows 39-40.
    [Theory]
    [InlineData("", "all()")]
    [InlineData(" all() ", "all()")]
    [InlineData(" (all() )", "all()")]
    [InlineData("! (has( b)||! has(a ))", "!(has(b) || !has(a))")]
    [InlineData("! (a == \"b\"&&! c != \"d\")", "!(a == \"b\" && !c != \"d\")")]
    [InlineData("a == \"'\"", "a == \"'\"")]
    [InlineData("a == '\"'", "a == '\"'")]
    [InlineData("a contains '\"'", "a contains '\"'")]
    [InlineData("a contains \"'\"", "a contains \"'\"")]
    [InlineData("a startswith '\"'", "a starts with '\"'")]
    [InlineData("a endswith \"'\"", "a ends with \"'\"")]
    [InlineData("a!='\"'", "a != '\"'")]
    [InlineData("a in {\"d\"}", "a in {\"d\"}")]
    [InlineData("a in {\"a\", \"b\"}", "a in {\"a\", \"b\"}")]
    [InlineData("a in {\"d\", \"a\", \"b\"}", "a in {\"a\", \"b\", \"d\"}")]
    [InlineData("a in {\"z\", \"x\", \"y\", \"a\"}", "a in {\"a\", \"x\", \"y\", \"z\"}")]
    [InlineData("a in {\"z\", \"z\", \"x\", \"y\", \"x\", \"a\"}", "a in {\"a\", \"x\", \"y\", \"z\"}")]
    [InlineData("a in {\"z\",\"z\",\"x\",\"y\",\"x\",\"a\"}", "a in {\"a\", \"x\", \"y\", \"z\"}")]
    public void Canonical_UpstreamVectors_MatchUpstream(string input, string expected) => AssertCanonical(input, expected);

    [Theory]
    [InlineData("a == 'b'", "a == \"b\"")]
    [InlineData("a\t==\t'b'", "a == \"b\"")]
    [InlineData("a not in {'y','x'}", "a not in {\"x\", \"y\"}")]
    [InlineData("a notin {}", "a not in {}")]
    [InlineData("a in {'x',}", "a in {\"x\"}")]
    [InlineData("a in {'\"', \"'\"}", "a in {'\"', \"'\"}")]
    [InlineData("a starts  with 'x'", "a starts with \"x\"")]
    [InlineData("!!has(a)", "has(a)")]
    [InlineData("!!!has(a)", "!has(a)")]
    [InlineData("!(k == 'v')", "!k == \"v\"")]
    [InlineData("((a == 'b'))", "a == \"b\"")]
    [InlineData("a == 'b' && c == 'd' && e == 'f'", "(a == \"b\" && c == \"d\" && e == \"f\")")]
    [InlineData("(a == 'b' && c == 'd') && e == 'f'", "((a == \"b\" && c == \"d\") && e == \"f\")")]
    [InlineData("a == 'b' || c == 'd' && e == 'f'", "(a == \"b\" || (c == \"d\" && e == \"f\"))")]
    [InlineData("!global()", "!global()")]
    [InlineData("all() && global()", "(all() && global())")]
    public void Canonical_OtherForms_Normalised(string input, string expected) => AssertCanonical(input, expected);

    [Theory]
    [InlineData("", "s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug")]
    [InlineData(" all() ", "s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug")]
    [InlineData(" (all() )", "s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug")]
    [InlineData("! (has( b)||! has(a ))", "s:Iss0uCleLYv1GSv_pNm7hAO58kE9jAx1NKyG3Q")]
    [InlineData("! (a == \"b\"&&! c != \"d\")", "s:lh3haoY1ikTRkd4UZu0nWSaIBknYLPJLX16d-w")]
    public void UniqueId_UpstreamVectors_MatchUpstream(string input, string expected)
    {
        var selector = Selector.Parse(input);
        Assert.Equal(expected, selector.UniqueId);
        Assert.Equal(expected, selector.UniqueId);
        Assert.Equal(expected, Selector.Parse(selector.Canonical).UniqueId);
    }

    [Fact]
    public void UniqueId_AllSelector_IsPrefixedAnd38Base64UrlChars()
    {
        var id = Selector.All.UniqueId;
        Assert.StartsWith("s:", id, StringComparison.Ordinal);
        Assert.Equal(2 + 38, id.Length);
        Assert.DoesNotContain('=', id);
    }

    [Fact]
    public void UniqueId_DifferentSelectors_Differ() =>
        Assert.NotEqual(Selector.Parse("has(a)").UniqueId, Selector.Parse("has(b)").UniqueId);

    [Fact]
    public void Equals_SameCanonicalForm_EqualAndSameHash()
    {
        var a = Selector.Parse("a in {'y', 'x'}");
        var b = Selector.Parse("a in {\"x\",\"y\",\"x\"}");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, Selector.Parse("a in {'x'}"));
        Assert.Equal(a.Canonical, a.ToString());
    }

    [Fact]
    public void Canonical_SetValuesBeyondBmp_SortedByCodePointLikeGo()
    {
        // U+1F600 (a surrogate pair in UTF-16) sorts after U+FF5E by code point / UTF-8 bytes,
        // but before it in UTF-16 ordinal order.
        var selector = Selector.Parse("a in {\"\U0001F600\", \"\uFF5E\", \"b\"}");
        Assert.Equal("a in {\"b\", \"\uFF5E\", \"\U0001F600\"}", selector.Canonical);
    }

    [Theory]
    [InlineData("  a == 'b' ", "a == \"b\"")]
    [InlineData("", "all()")]
    [InlineData(" not a selector ", "not a selector")]
    public void Normalise_Input_CanonicalOrTrimmedInput(string input, string expected) =>
        Assert.Equal(expected, Selector.Normalise(input));

    private static void AssertCanonical(string input, string expected)
    {
        var selector = Selector.Parse(input);
        Assert.Equal(expected, selector.Canonical);
        Assert.Equal(expected, selector.ToString());
        Assert.Equal(expected, selector.Root.ToString());
        var roundTripped = Selector.Parse(expected);
        Assert.Equal(expected, roundTripped.Canonical);
        Assert.Equal(selector.UniqueId, roundTripped.UniqueId);
    }
}
