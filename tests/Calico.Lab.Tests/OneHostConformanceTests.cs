namespace Calico.Lab.Tests;

/// <summary>
/// The acceptance test, one test per case: every case of ../shared/conformance/policy passes on a one-host
/// lab with calico-node, as on the engine. One lab for the class.
/// </summary>
[Trait("Tier", "Root")]
public sealed class OneHostConformanceTests(OneHostConformanceLab lab) : IClassFixture<OneHostConformanceLab>
{
    [Theory]
    [MemberData(nameof(PolicyCase.All), MemberType = typeof(PolicyCase))]
    public Task Case_OnOneHostLab_PassesAsOnEngine(PolicyCase policyCase) => ConformanceAssert.PassesAsOnEngineAsync(policyCase, lab);
}
