using Calico.Lab.Cluster;

namespace Calico.Lab.Tests;

/// <summary>A one-host lab on the eBPF dataplane (<c>calico-lab up --dataplane bpf</c>).</summary>
public sealed class OneHostBpfConformanceLab : ConformanceLabFixture
{
    protected override UpOptions Options { get; } = new(Hosts: 1) { Dataplane = UpOptions.DataplaneBpf };
}

/// <summary>A three-host VXLAN CrossSubnet lab on the eBPF dataplane, as issue 18 asks.</summary>
public sealed class ThreeHostBpfConformanceLab : ConformanceLabFixture
{
    protected override UpOptions Options { get; } = new(Hosts: 3, Encapsulation: UpOptions.EncapsulationVxlanCrossSubnet) { Dataplane = UpOptions.DataplaneBpf };
}

/// <summary>Every policy conformance case passes with <c>bpfEnabled: true</c> on one host, as on the engine.</summary>
[Trait("Tier", "Root")]
public sealed class OneHostBpfConformanceTests(OneHostBpfConformanceLab lab) : IClassFixture<OneHostBpfConformanceLab>
{
    [Theory]
    [MemberData(nameof(PolicyCase.All), MemberType = typeof(PolicyCase))]
    public Task Case_OnOneHostBpfLab_PassesAsOnEngine(PolicyCase policyCase) => ConformanceAssert.PassesAsOnEngineAsync(policyCase, lab);
}

/// <summary>Every policy conformance case passes with <c>bpfEnabled: true</c> on three hosts (VXLAN CrossSubnet), as on the engine.</summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed class CrossHostBpfConformanceTests(ThreeHostBpfConformanceLab lab) : IClassFixture<ThreeHostBpfConformanceLab>
{
    [Theory]
    [MemberData(nameof(PolicyCase.All), MemberType = typeof(PolicyCase))]
    public Task Case_OnThreeHostBpfLab_PassesAsOnEngine(PolicyCase policyCase) => ConformanceAssert.PassesAsOnEngineAsync(policyCase, lab);
}
