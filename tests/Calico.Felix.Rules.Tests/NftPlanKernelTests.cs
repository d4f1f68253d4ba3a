using Calico.Felix.Rules.Planning;
using Calico.Felix.Calc.Model;
using Calico.TestKit;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// Root tier, the heart of the delta contract: in a fresh namespace, the full text of A followed by the delta A→B
/// leaves exactly what the full text of B leaves (compared as normalised <c>nft -j list table</c> output).
/// Pairs are batched in one namespace per test to keep the number of kernel runs small.
/// </summary>
[Trait("Tier", "Root")]
public sealed class NftPlanKernelTests
{
    [Fact]
    public void Delta_HandWrittenPairs_EqualsFullRenderOfTarget()
    {
        using var ns = new NetnsScope();
        var nft = new KernelNft(ns);
        foreach (var (name, a, natA, b, natB) in DeltaScenarios.All())
        {
            AssertDeltaEquivalent(nft, name, a, natA, b, natB);
        }
    }

    [Fact]
    public void Delta_RandomPairs_EqualsFullRenderOfTarget()
    {
        using var ns = new NetnsScope();
        var nft = new KernelNft(ns);
        var random = new RandomStates(20240611);
        var (a, natA) = random.Next();
        for (int i = 0; i < 25; i++)
        {
            var (b, natB) = random.Next();
            AssertDeltaEquivalent(nft, $"random pair {i}", a, natA, b, natB);
            (a, natA) = (b, natB);
        }
    }

    [Fact]
    public void Delta_DeletesOneOfTwoAdjacentAddresses_KernelAcceptsIt()
    {
        using var ns = new NetnsScope();
        var nft = new KernelNft(ns);
        DataplaneState a = StateBuilder.With(new DataplaneState(), new IpSetUpdate("s:pair", IpSetType.Net, ["10.0.0.1/32", "10.0.0.2/32"]));
        DataplaneState b = StateBuilder.With(a, new IpSetDeltaUpdate("s:pair", [], ["10.0.0.1/32"]));

        string delta = AssertDeltaEquivalent(nft, "adjacent /32s", a, NatInputs.None, b, NatInputs.None);

        Assert.Equal("delete element inet calico cali40s_pair { 10.0.0.1 }\n", delta);
    }

    private static string AssertDeltaEquivalent(KernelNft nft, string name, DataplaneState a, NatInputs natA, DataplaneState b, NatInputs natB)
    {
        var config = new RenderConfig();
        NftTable tableA = NftablesRenderer.Build(a, config, natA);
        NftTable tableB = NftablesRenderer.Build(b, config, natB);
        string delta = Delta(tableA, tableB);

        nft.Apply(tableA.ToFullTransaction(), name + ": full A");
        if (delta.Length > 0)
        {
            nft.Apply(delta, name + ": delta A->B");
        }

        string afterDelta = nft.ListCanonical();
        if (delta.Length > 0)
        {
            // Guards the comparison itself: a listing that lost detail would make every delta look right.
            nft.Apply(tableA.ToFullTransaction(), name + ": full A again");
            Assert.NotEqual(nft.ListCanonical(), afterDelta);
        }

        nft.Apply(tableB.ToFullTransaction(), name + ": full B");
        string fresh = nft.ListCanonical();
        Assert.True(string.Equals(fresh, afterDelta, StringComparison.Ordinal), $"{name}: delta result differs from full B\n--- delta ---\n{delta}\n--- after delta ---\n{afterDelta}\n--- full B ---\n{fresh}");
        return delta;
    }

    private static string Delta(NftTable? previous, NftTable next) => NftScript.From(NftPlanner.Plan(previous, next));
}
