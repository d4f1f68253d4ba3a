namespace Calico.Lab.Tests;

/// <summary>
/// Every policy conformance case passes on a three-host lab, as on the engine, one test per case: pods spread
/// round-robin over the hosts, VXLAN CrossSubnet carrying the traffic to and from host3, BGP between host1 and
/// host2. One lab for the class; in the cross-host collection so that only one three-node lab runs at a time.
/// </summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed class CrossHostConformanceTests(ThreeHostConformanceLab lab) : IClassFixture<ThreeHostConformanceLab>
{
    [Theory]
    [MemberData(nameof(PolicyCase.All), MemberType = typeof(PolicyCase))]
    public Task Case_OnThreeHostLab_PassesAsOnEngine(PolicyCase policyCase) => ConformanceAssert.PassesAsOnEngineAsync(policyCase, lab);
}
