namespace Calico.Selectors.Tests;

[Trait("Tier", "Unit")]
public sealed class SelectorAllocationTests
{
    // The policy engine evaluates selectors per endpoint change; a match must not allocate.
    [Fact]
    public void Matches_WarmSelector_AllocatesNothing()
    {
        var selector = Selector.Parse(
            "(app == 'web' || app in {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'}) && !has(quarantine) && env not in {'dev'} && name starts with 'w' && name contains 'e' && name ends with 'b'");
        var own = new Dictionary<string, string> { ["app"] = "web", ["name"] = "web" };
        IReadOnlyList<IReadOnlyDictionary<string, string>> parents = [new Dictionary<string, string> { ["env"] = "prod" }];
        var layered = new LayeredLabelSource(own, parents);

        var warm = selector.Matches(own) & selector.Matches(layered);
        Assert.True(warm);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var matched = 0;
        for (var i = 0; i < 1000; i++)
        {
            matched += selector.Matches(own) ? 1 : 0;
            matched += selector.Matches(layered) ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2000, matched);
        Assert.Equal(0, allocated);
    }
}
