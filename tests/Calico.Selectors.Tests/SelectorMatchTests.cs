namespace Calico.Selectors.Tests;

[Trait("Tier", "Unit")]
public sealed class SelectorMatchTests
{
    // Section 4.3 of the architecture notes, rows 1-37, in order.
    [Theory]
    [InlineData("a == \"b\"", "a=b", true)]
    [InlineData("a == \"b\"", "a=b,c=d", true)]
    [InlineData("a == \"b\"", "", false)]
    [InlineData("a == \"b\"", "a=c", false)]
    [InlineData("a == \"b\" && c == \"d\"", "a=b,c=d", true)]
    [InlineData("a == \"b\" && c == \"d\"", "a=b", false)]
    [InlineData("a == \"b\" || c == \"d\"", "c=d", true)]
    [InlineData("a == \"b\" || c == \"d\"", "a=e,c=e", false)]
    [InlineData("a in {\"'\", '\"', \"c\"}", "a=\"", true)]
    [InlineData("a not in {\"'\", '\"', \"c\"}", "", true)]
    [InlineData("a not in {\"'\", '\"', \"c\"}", "a=c", false)]
    [InlineData("a != \"b\"", "a=a", true)]
    [InlineData("a != \"a\"", "", true)]
    [InlineData("a != 'a'", "a=a", false)]
    [InlineData("a contains \"a\"", "a=bab", true)]
    [InlineData("a contains \"a\"", "b=aaa", false)]
    [InlineData("a starts with \"a\"", "a=abb", true)]
    [InlineData("a starts with \"a\"", "a=baa", false)]
    [InlineData("a ends with \"a\"", "a=bba", true)]
    [InlineData("a ends with \"a\"", "a=aab", false)]
    [InlineData("!a in {\"a\"}", "a=b", true)]
    [InlineData("a in {\"a\", \"b\"}", "a=c", false)]
    [InlineData("has(a)", "a=b", true)]
    [InlineData("has(b)", "a=b", false)]
    [InlineData("!has(a)", "b=b", true)]
    [InlineData("!!has(b)", "a=b", false)]
    [InlineData("!!! has(a)", "a=b", false)]
    [InlineData("! !!has(a)", "a=b", false)]
    [InlineData("", "a=b", true)]
    [InlineData(" ", "a=b", true)]
    [InlineData("all()", "", true)]
    [InlineData("global()", "a=b", true)]
    [InlineData("a == 'a1' && b != 'b1'", "a=a1,b=b1", false)]
    [InlineData("has(a) && !has(b)", "a=a", true)]
    [InlineData("!(!has(a) || has(b))", "a=a", true)]
    [InlineData("a != 'a1' || b == 'b1'", "a=a1,b=b1", true)]
    [InlineData("a != 'a1' || b != 'b1'", "a=a1,b=b1", false)]
    [InlineData("! a == 'a1' || ! b == 'b1'", "a=a1,b=b1", false)]
    [InlineData("contains contains \"contains\"", "contains=xcontainsx", true)]
    public void Matches_ReferenceTable_GivesExpectedResult(string selector, string labels, bool expected) =>
        AssertMatch(selector, labels, expected);

    // Upstream parser_test.go selectorTests, one row per (selector, labels) pair.
    [Theory]
    [InlineData("a == \"b\"", "a=b", true)]
    [InlineData("a == \"b\"", "a=b,c=d", true)]
    [InlineData("a == \"b\"", "", false)]
    [InlineData("a == \"b\"", "a=c", false)]
    [InlineData("a == \"b\"", "c=d", false)]
    [InlineData("a == \"b\" && c == \"d\"", "a=b,c=d", true)]
    [InlineData("a == \"b\" && c == \"d\"", "", false)]
    [InlineData("a == \"b\" && c == \"d\"", "a=b,c=e", false)]
    [InlineData("a == \"b\" && c == \"d\"", "a=c,c=d", false)]
    [InlineData("a == \"b\" && c == \"d\"", "c=d", false)]
    [InlineData("a == \"b\" && c == \"d\"", "a=b", false)]
    [InlineData("a == \"b\" || c == \"d\"", "a=b,c=d", true)]
    [InlineData("a == \"b\" || c == \"d\"", "a=b", true)]
    [InlineData("a == \"b\" || c == \"d\"", "c=d", true)]
    [InlineData("a == \"b\" || c == \"d\"", "", false)]
    [InlineData("a == \"b\" || c == \"d\"", "a=e,c=e", false)]
    [InlineData("a == \"b\" || c == \"d\"", "c=e", false)]
    [InlineData("a == \"b\" || c == \"d\"", "a=e", false)]
    [InlineData("a in {\"'\", '\"', \"c\"}", "a=c", true)]
    [InlineData("a in {\"'\", '\"', \"c\"}", "a=\"", true)]
    [InlineData("a in {\"'\", '\"', \"c\"}", "a='", true)]
    [InlineData("a in {\"'\", '\"', \"c\"}", "", false)]
    [InlineData("a in {\"'\", '\"', \"c\"}", "a=e", false)]
    [InlineData("a not in {\"'\", '\"', \"c\"}", "", true)]
    [InlineData("a not in {\"'\", '\"', \"c\"}", "a=e", true)]
    [InlineData("a not in {\"'\", '\"', \"c\"}", "a=c", false)]
    [InlineData("a not in {\"'\", '\"', \"c\"}", "a=\"", false)]
    [InlineData("a not in {\"'\", '\"', \"c\"}", "a='", false)]
    [InlineData("a == 'a'", "a=a", true)]
    [InlineData("a == \"a\"", "a=a", true)]
    [InlineData("a != \"b\"", "a=a", true)]
    [InlineData("a != \"a\"", "", true)]
    [InlineData("a contains \"a\"", "a=a", true)]
    [InlineData("a contains \"a\"", "a=bab", true)]
    [InlineData("a contains \"a\"", "a=aaa,b=c", true)]
    [InlineData("a contains \"a\"", "", false)]
    [InlineData("a contains \"a\"", "a=b", false)]
    [InlineData("a contains \"a\"", "b=aaa", false)]
    [InlineData("a starts with \"a\"", "a=a", true)]
    [InlineData("a starts with \"a\"", "a=abb", true)]
    [InlineData("a starts with \"a\"", "a=aaa,b=c", true)]
    [InlineData("a starts with \"a\"", "", false)]
    [InlineData("a starts with \"a\"", "a=b", false)]
    [InlineData("a starts with \"a\"", "a=baa", false)]
    [InlineData("a starts with \"a\"", "b=aaa", false)]
    [InlineData("a ends with \"a\"", "a=a", true)]
    [InlineData("a ends with \"a\"", "a=bba", true)]
    [InlineData("a ends with \"a\"", "a=aaa,b=c", true)]
    [InlineData("a ends with \"a\"", "", false)]
    [InlineData("a ends with \"a\"", "a=b", false)]
    [InlineData("a ends with \"a\"", "a=aab", false)]
    [InlineData("a ends with \"a\"", "b=aaa", false)]
    [InlineData("a in {\"a\"}", "a=a", true)]
    [InlineData("!a in {\"a\"}", "a=b", true)]
    [InlineData("a in {\"a\", \"b\"}", "a=a", true)]
    [InlineData("a in {\"a\", \"b\"}", "a=b", true)]
    [InlineData("a not in {\"d\", \"e\"}", "a=a", true)]
    [InlineData("has(a)", "a=b", true)]
    [InlineData("!has(a)", "b=b", true)]
    [InlineData("", "", true)]
    [InlineData(" ", "", true)]
    [InlineData("", "a=b", true)]
    [InlineData("all()", "", true)]
    [InlineData(" all()", "", true)]
    [InlineData(" all()", "a=b", true)]
    [InlineData("global()", "", true)]
    [InlineData(" global()", "", true)]
    [InlineData(" global()", "a=b", true)]
    [InlineData("a == 'a'", "a=b", false)]
    [InlineData("a == 'a'", "", false)]
    [InlineData("a != \"a\"", "a=a", false)]
    [InlineData("a != 'a'", "a=a", false)]
    [InlineData("a in {\"a\"}", "a=b", false)]
    [InlineData("a not in {\"a\"}", "a=a", false)]
    [InlineData("a in {\"a\", \"b\"}", "a=c", false)]
    [InlineData("has(b)", "a=b", false)]
    [InlineData("!!has(b)", "a=b", false)]
    [InlineData("! has(a)", "a=b", false)]
    [InlineData("!has(a)", "a=b", false)]
    [InlineData("!!! has(a)", "a=b", false)]
    [InlineData("!!!has(a)", "a=b", false)]
    [InlineData("!! ! has(a)", "a=b", false)]
    [InlineData("! !!has(a)", "a=b", false)]
    [InlineData("a == 'a1' && b == 'b1'", "a=a1,b=b1", true)]
    [InlineData("a == 'a1' && b != 'b1'", "a=a1,b=b1", false)]
    [InlineData("a != 'a1' && b == 'b1'", "a=a1,b=b1", false)]
    [InlineData("a != 'a1' && b != 'b1'", "a=a1,b=b1", false)]
    [InlineData("a != 'a1' && !b == 'b1'", "a=a1,b=b1", false)]
    [InlineData("!a == 'a1' && b == 'b1'", "a=a1,b=b1", false)]
    [InlineData("has(a) && !has(b)", "a=a", true)]
    [InlineData("!has(b) && has(a)", "a=a", true)]
    [InlineData("!(!has(a) || has(b))", "a=a", true)]
    [InlineData("!(has(b) || !has(a))", "a=a", true)]
    [InlineData("a == 'a1' || b == 'b1'", "a=a1,b=b1", true)]
    [InlineData("a == 'a1' || b != 'b1'", "a=a1,b=b1", true)]
    [InlineData("a != 'a1' || b == 'b1'", "a=a1,b=b1", true)]
    [InlineData("a != 'a1' || b != 'b1'", "a=a1,b=b1", false)]
    [InlineData("! a == 'a1' || ! b == 'b1'", "a=a1,b=b1", false)]
    public void Matches_UpstreamSelectorTests_GivesExpectedResult(string selector, string labels, bool expected) =>
        AssertMatch(selector, labels, expected);

    // Edge cases beyond upstream's tables, each checked against upstream's code paths.
    [Theory]
    [InlineData("a in {}", "a=x", false)]
    [InlineData("a in {}", "", false)]
    [InlineData("a not in {}", "a=x", true)]
    [InlineData("a in {\"x\",}", "a=x", true)]
    [InlineData("a notin{\"x\"}", "a=y", true)]
    [InlineData("a not\tin {\"x\"}", "a=x", false)]
    [InlineData("a startswith \"\"", "a=", true)]
    [InlineData("a contains \"\"", "", false)]
    [InlineData("a == \"\"", "a=", true)]
    [InlineData("a == \"\"", "", false)]
    [InlineData("in in {\"in\"}", "in=in", true)]
    [InlineData("not not in {\"x\"}", "", true)]
    [InlineData("has == \"x\"", "has=x", true)]
    [InlineData("all == \"x\"", "all=x", true)]
    [InlineData("startswith starts with \"v\"", "startswith=value", true)]
    [InlineData("endswith ends  with \"e\"", "endswith=value", true)]
    [InlineData("a == \"B\"", "a=b", false)]
    [InlineData("!(a == \"b\" && c == \"d\")", "a=b", true)]
    [InlineData("!global()", "", false)]
    [InlineData("!all()", "", false)]
    [InlineData("a == \"x\" || b == \"y\" && c == \"z\"", "a=x", true)]
    [InlineData("(a == \"x\" || b == \"y\") && c == \"z\"", "a=x", false)]
    [InlineData("calico/k8s_ns == \"kube-system\" && k8s-app == \"kube-dns\"", "calico/k8s_ns=kube-system,k8s-app=kube-dns", true)]
    [InlineData("a in {\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"}", "a=7", true)]
    [InlineData("a in {\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"}", "a=10", false)]
    [InlineData("a not in {\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"}", "a=9", false)]
    public void Matches_EdgeCases_GivesExpectedResult(string selector, string labels, bool expected) =>
        AssertMatch(selector, labels, expected);

    [Fact]
    public void Matches_NullLabels_Throws()
    {
        var selector = Selector.Parse("has(a)");
        Assert.Throws<ArgumentNullException>(() => selector.Matches((IReadOnlyDictionary<string, string>)null!));
        Assert.Throws<ArgumentNullException>(() => selector.Matches((ILabelSource)null!));
    }

    [Fact]
    public void NoMatch_AnyLabels_MatchesNothing()
    {
        Assert.False(Selector.NoMatch.Matches(TestLabels.Parse("a=b")));
        Assert.Equal("!all()", Selector.NoMatch.Canonical);
        Assert.True(Selector.All.Matches(TestLabels.Parse("")));
    }

    private static void AssertMatch(string text, string labelSpec, bool expected)
    {
        var labels = TestLabels.Parse(labelSpec);
        var selector = Selector.Parse(text);
        Assert.Equal(expected, selector.Matches(labels));

        // Every way of supplying labels agrees.
        Assert.Equal(expected, selector.Matches(new DictionaryLabelSource(labels)));
        Assert.Equal(expected, selector.Matches<ILabelSource>(new DictionaryLabelSource(labels)));
        Assert.Equal(expected, selector.Matches(new LayeredLabelSource(null, [labels])));

        // As upstream's tests do: the canonical form means the same thing.
        var reparsed = Selector.Parse(selector.Canonical);
        Assert.Equal(expected, reparsed.Matches(labels));
        Assert.Equal(selector.Canonical, reparsed.Canonical);
    }
}
