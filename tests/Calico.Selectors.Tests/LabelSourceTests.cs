namespace Calico.Selectors.Tests;

[Trait("Tier", "Unit")]
public sealed class LabelSourceTests
{
    private static readonly Dictionary<string, string> Own = new(StringComparer.Ordinal) { ["app"] = "web", ["tier"] = "own" };
    private static readonly Dictionary<string, string> ProfileA = new(StringComparer.Ordinal) { ["tier"] = "profileA", ["pcns.team"] = "blue" };
    private static readonly Dictionary<string, string> ProfileB = new(StringComparer.Ordinal) { ["pcns.team"] = "red", ["env"] = "prod" };

    [Theory]
    [InlineData("tier == 'own'", true)]
    [InlineData("tier == 'profileA'", false)]
    [InlineData("pcns.team == 'blue'", true)]
    [InlineData("pcns.team == 'red'", false)]
    [InlineData("env == 'prod' && app == 'web'", true)]
    [InlineData("has(missing)", false)]
    [InlineData("missing != 'x'", true)]
    public void Matches_LayeredSource_OwnLabelsThenParentsInOrder(string selector, bool expected) =>
        Assert.Equal(expected, Selector.Parse(selector).Matches(new LayeredLabelSource(Own, [ProfileA, ProfileB])));

    [Fact]
    public void Matches_LayeredSourceWithoutLayers_SeesNoLabels()
    {
        var empty = new LayeredLabelSource(null, null);
        Assert.False(Selector.Parse("has(a)").Matches(empty));
        Assert.True(Selector.Parse("a not in {'x'}").Matches(empty));
    }

    [Fact]
    public void Matches_CustomSource_UsesOnlyTryGet()
    {
        var source = new CountingSource();
        Assert.True(Selector.Parse("a == 'a' && b != 'x' && has(c)").Matches(source));
        Assert.Equal(3, source.Lookups);
    }

    [Fact]
    public void Matches_ProfileLabelChanges_SeenWithoutRebuildingSource()
    {
        var profile = new Dictionary<string, string>(StringComparer.Ordinal);
        var source = new LayeredLabelSource(Own, [profile]);
        var selector = Selector.Parse("pcns.team == 'green'");
        Assert.False(selector.Matches(source));
        profile["pcns.team"] = "green";
        Assert.True(selector.Matches(source));
    }

    private sealed class CountingSource : ILabelSource
    {
        public int Lookups { get; private set; }

        public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value)
        {
            Lookups++;
            value = key;
            return true;
        }
    }
}
