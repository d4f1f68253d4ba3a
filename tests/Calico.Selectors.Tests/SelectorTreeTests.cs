namespace Calico.Selectors.Tests;

[Trait("Tier", "Unit")]
public sealed class SelectorTreeTests
{
    // Upstream parser_test.go Visitor tests (PrefixVisitor with "visited/").
    [Theory]
    [InlineData("k == 'v'", "visited/k == \"v\"")]
    [InlineData("k != 'v'", "visited/k != \"v\"")]
    [InlineData("k contains 'v'", "visited/k contains \"v\"")]
    [InlineData("k starts with 'v'", "visited/k starts with \"v\"")]
    [InlineData("k ends with 'v'", "visited/k ends with \"v\"")]
    [InlineData("k == 'v' && x == 'y'", "(visited/k == \"v\" && visited/x == \"y\")")]
    [InlineData("k == 'v' || has(x)", "(visited/k == \"v\" || has(visited/x))")]
    [InlineData("!(k == 'v')", "!visited/k == \"v\"")]
    [InlineData("k in {'v'}", "visited/k in {\"v\"}")]
    [InlineData("k not in {'v'}", "visited/k not in {\"v\"}")]
    [InlineData("!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))", "!(!((visited/k == \"v\" && has(visited/t)) || all()) && visited/a in {\"b\", \"c\"})")]
    public void WithLabelPrefix_UpstreamVisitorVectors_PrefixesEveryLabel(string input, string expected)
    {
        var original = Selector.Parse(input);
        var prefixed = original.WithLabelPrefix("visited/");
        Assert.Equal(expected, prefixed.Canonical);
        Assert.Equal(Selector.Parse(expected).UniqueId, prefixed.UniqueId);
        Assert.Equal(Selector.Parse(input).Canonical, original.Canonical);
    }

    [Fact]
    public void WithLabelPrefix_PrefixedSelector_MatchesPrefixedLabels()
    {
        var selector = Selector.Parse("team == 'blue'").WithLabelPrefix("pcns.");
        Assert.True(selector.Matches(new Dictionary<string, string> { ["pcns.team"] = "blue" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["team"] = "blue" }));
    }

    [Fact]
    public void WithLabelPrefix_InvalidCharacter_Throws() =>
        Assert.Throws<ArgumentException>(() => Selector.Parse("has(a)").WithLabelPrefix("bad prefix"));

    [Fact]
    public void Root_ParsedSelector_ExposesTypedTree()
    {
        var selector = Selector.Parse("a == 'x' && !b in {'2', '1'} || has(c) && d starts with 'e'");
        var or = Assert.IsType<OrNode>(selector.Root);
        Assert.Equal(2, or.Operands.Count);

        var left = Assert.IsType<AndNode>(or.Operands[0]);
        var eq = Assert.IsType<LabelComparisonNode>(left.Operands[0]);
        Assert.Equal(("a", ComparisonOperator.Equal, "x"), (eq.Label, eq.Operator, eq.Value));
        var not = Assert.IsType<NotNode>(left.Operands[1]);
        var set = Assert.IsType<LabelSetNode>(not.Operand);
        Assert.False(set.IsNotIn);
        Assert.Equal(["1", "2"], set.Values);

        var right = Assert.IsType<AndNode>(or.Operands[1]);
        Assert.Equal("c", Assert.IsType<HasNode>(right.Operands[0]).Label);
        Assert.Equal(ComparisonOperator.StartsWith, Assert.IsType<LabelComparisonNode>(right.Operands[1]).Operator);
    }

    [Fact]
    public void Root_EmptySelector_IsAllNode()
    {
        Assert.Same(AllNode.Instance, Selector.Parse("").Root);
        Assert.Same(GlobalNode.Instance, Selector.Parse("global()").Root);
    }
}
