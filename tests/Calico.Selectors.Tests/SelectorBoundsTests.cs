using System.Text;

namespace Calico.Selectors.Tests;

/// <summary>Selectors come from the datastore: nesting and length are bounded, and a breach is an ordinary syntax error.</summary>
[Trait("Tier", "Unit")]
public sealed class SelectorBoundsTests
{
    [Fact]
    public void Parse_100000NestedParentheses_ThrowsSyntaxErrorAtFirstParenBeyondLimit()
    {
        var text = Nested(100_000);

        var error = Assert.Throws<SelectorSyntaxException>(() => Selector.Parse(text));

        Assert.Equal(Selector.MaxNesting + 1, error.Column);
        Assert.StartsWith("selector: parentheses nested deeper than 128 levels at column 129: ", error.Message, StringComparison.Ordinal);
        // The echo is an excerpt: one bad value must not put megabytes into a log line.
        Assert.True(error.Message.Length < 400, error.Message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("... (200008 characters)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_100000NestedParentheses_ReturnsFalse()
    {
        Assert.False(Selector.TryParse(Nested(100_000), out var selector, out var error));
        Assert.Null(selector);
        Assert.Contains("nested deeper than 128 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AtMaxNesting_ParsesAndReportsNesting()
    {
        var selector = Selector.Parse(Nested(Selector.MaxNesting));

        Assert.Equal(Selector.MaxNesting, selector.Nesting);
        Assert.Equal("a == \"b\"", selector.Canonical);
    }

    [Fact]
    public void Parse_OneBeyondMaxNesting_Throws() =>
        Assert.Throws<SelectorSyntaxException>(() => Selector.Parse(Nested(Selector.MaxNesting + 1)));

    [Fact]
    public void Parse_CanonicalOfDeepChain_ReparsesToSameCanonical()
    {
        // "a && (a && (...))": the canonical form wraps every group, one level deeper than the source.
        var sb = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            sb.Append("a == \"x\" && (");
        }

        sb.Append("a == \"x\" && a == \"y\"").Append(')', 100);
        var selector = Selector.Parse(sb.ToString());

        Assert.Equal(100, selector.Nesting);
        var reparsed = Selector.Parse(selector.Canonical);
        Assert.Equal(101, reparsed.Nesting);
        Assert.Equal(selector.Canonical, reparsed.Canonical);
        Assert.False(reparsed.Matches(new Dictionary<string, string> { ["a"] = "x" }));
        Assert.Equal(selector.Canonical, selector.WithLabelPrefix("p.").Canonical.Replace("p.a", "a", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_100000Negations_CollapsesWithoutRecursion()
    {
        var selector = Selector.Parse(new string('!', 100_000) + "has(a)");
        Assert.Equal("!has(a)", Selector.Parse(new string('!', 100_001) + "has(a)").Canonical);
        Assert.Equal("has(a)", selector.Canonical);
        Assert.Equal(0, selector.Nesting);
    }

    [Fact]
    public void Parse_LongFlatSelectorWithinLimit_Parses()
    {
        var sb = new StringBuilder("a == \"x\"");
        while (sb.Length < 100_000)
        {
            sb.Append(" || a == \"x\"");
        }

        Assert.True(Selector.Parse(sb.ToString()).Matches(new Dictionary<string, string> { ["a"] = "x" }));
    }

    [Fact]
    public void Parse_LongerThanMaxLength_ThrowsWithShortMessage()
    {
        var text = "a == \"" + new string('x', Selector.MaxLength) + "\"";

        var error = Assert.Throws<SelectorSyntaxException>(() => Selector.Parse(text));

        Assert.Contains($"selector is {text.Length} characters long; the limit is {Selector.MaxLength}", error.Message, StringComparison.Ordinal);
        Assert.Equal(Selector.MaxLength + 1, error.Column);
        Assert.True(error.Message.Length < 400);
    }

    [Fact]
    public void Parse_ShortSelectorError_EchoesWholeText()
    {
        var text = "a == 'x' && " + new string('b', 150);
        var error = Assert.Throws<SelectorSyntaxException>(() => Selector.Parse(text));
        Assert.EndsWith(": " + text, error.Message, StringComparison.Ordinal);
    }

    private static string Nested(int depth) => new string('(', depth) + "a == \"b\"" + new string(')', depth);
}
