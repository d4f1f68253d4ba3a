namespace Calico.Selectors.Tests;

[Trait("Tier", "Unit")]
public sealed class LabelRestrictionTests
{
    // Upstream parser/label_restriction_test.go. Expected form: "label:flags[values]; ..." sorted by
    // label, flags P (must be present) and A (must be absent), values only when restricted; "" = none.
    [Theory]
    [InlineData("", "")]
    [InlineData("all()", "")]
    [InlineData("global()", "")]
    [InlineData("a == 'value'", "a:P[value]")]
    [InlineData("has(a)", "a:P")]
    [InlineData("a in {'v1','v2'}", "a:P[v1,v2]")]
    [InlineData("a not in {'v1','v2'}", "")]
    [InlineData("a contains 'foo'", "a:P")]
    [InlineData("a ends with 'foo'", "a:P")]
    [InlineData("a starts with 'foo'", "a:P")]
    [InlineData("a != 'value'", "")]
    [InlineData("a == 'v1' && a == 'v1'", "a:P[v1]")]
    [InlineData("a == 'v1' && a == 'v2'", "a:P[]")]
    [InlineData("a == 'v1' && has(a)", "a:P[v1]")]
    [InlineData("a in {'v1','v2'} && a in {'v2','v3'} ", "a:P[v2]")]
    [InlineData("a in {'v1','v2', 'v3'} && a in {'v2','v3'} ", "a:P[v2,v3]")]
    [InlineData("has(a) && a == 'v1'", "a:P[v1]")]
    [InlineData("has(a) && !has(a)", "a:PA")]
    [InlineData("a == 'v1' && b == 'v2'", "a:P[v1]; b:P[v2]")]
    [InlineData("a == 'v1' && all()", "a:P[v1]")]
    [InlineData("all() && a == 'v1'", "a:P[v1]")]
    [InlineData("a == 'v1' || a == 'v2'", "a:P[v1,v2]")]
    [InlineData("has(a) || a == 'v2'", "a:P")]
    [InlineData("a=='v2' || has(a)", "a:P")]
    [InlineData("a=='v2' || has(b)", "")]
    [InlineData("a=='v2' || (has(b) && has(a))", "a:P")]
    [InlineData("a == 'v1' || b == 'v2'", "")]
    [InlineData("a == 'v1' || all()", "")]
    [InlineData("all() || b == 'v2'", "")]
    [InlineData("!(a == 'value')", "")]
    [InlineData("!has(a)", "a:A")]
    [InlineData("!!has(a)", "a:P")]
    public void GetLabelRestrictions_UpstreamVectors_MatchUpstream(string selector, string expected)
    {
        Assert.Equal(expected, Format(Selector.Parse(selector).GetLabelRestrictions()));
        if (selector.Length > 0)
        {
            // Upstream: an extra "all() &&" changes nothing.
            Assert.Equal(expected, Format(Selector.Parse($"all() && ({selector})").GetLabelRestrictions()));
        }
    }

    [Theory]
    [InlineData("!has(a) || !has(a)", "a:A")]
    [InlineData("!has(a) || has(a)", "")]
    [InlineData("a in {'x'} || a in {'y'} || a in {'x','z'}", "a:P[x,y,z]")]
    [InlineData("a == 'x' && b == 'y' || a == 'z'", "a:P[x,z]")]
    public void GetLabelRestrictions_MoreCombinations_AsUpstreamRules(string selector, string expected) =>
        Assert.Equal(expected, Format(Selector.Parse(selector).GetLabelRestrictions()));

    [Theory]
    [InlineData("has(a) && !has(a)", false)]
    [InlineData("a == 'v1' && a == 'v2'", false)]
    [InlineData("a == 'v1' && a in {'v1','v2'}", true)]
    public void PossibleToSatisfy_Restriction_ReportsContradictions(string selector, bool expected) =>
        Assert.Equal(expected, Selector.Parse(selector).GetLabelRestrictions()["a"].PossibleToSatisfy);

    [Fact]
    public void Equals_SameRestriction_EqualByValue()
    {
        var a = Selector.Parse("a in {'x','y'}").GetLabelRestrictions()["a"];
        var b = Selector.Parse("a == 'x' || a == 'y'").GetLabelRestrictions()["a"];
        Assert.Equal(a, b);
        Assert.NotEqual(a, Selector.Parse("has(a)").GetLabelRestrictions()["a"]);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("a == 'b' && !(c != 'd' || e not in {'f'}) && has(a) || g starts with 'h'", "a,c,e,g")]
    [InlineData("!has(z) && y contains 'x'", "y,z")]
    public void LabelKeys_Selector_ListsEveryLabelReadOnce(string selector, string expected) =>
        Assert.Equal(expected, string.Join(",", Selector.Parse(selector).LabelKeys));

    private static string Format(IReadOnlyDictionary<string, LabelRestriction> restrictions)
    {
        var parts = new List<string>();
        foreach (var label in restrictions.Keys.Order(StringComparer.Ordinal))
        {
            var r = restrictions[label];
            var flags = (r.MustBePresent ? "P" : "") + (r.MustBeAbsent ? "A" : "");
            var values = r.MustHaveOneOfValues is null ? "" : "[" + string.Join(",", r.MustHaveOneOfValues) + "]";
            parts.Add($"{label}:{flags}{values}");
        }

        return string.Join("; ", parts);
    }
}
