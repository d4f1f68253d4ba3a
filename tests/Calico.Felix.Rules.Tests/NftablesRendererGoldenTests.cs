namespace Calico.Felix.Rules.Tests;

[Collection("golden")]
[Trait("Tier", "Unit")]
public sealed class NftablesRendererGoldenTests
{
    [Theory]
    [MemberData(nameof(Cases))]
    public void Render_GoldenCase_MatchesExpected(string caseName)
    {
        var (state, config) = GoldenCases.Get(caseName);

        Golden.Check(caseName, "expected.nft", NftablesRenderer.Build(state, config, GoldenCases.NatFor(caseName)).ToFullTransaction());
    }

    public static TheoryData<string> Cases => GoldenCases.Names;
}
