using Calico.Lab.Cluster;

namespace Calico.Lab.Tests;

/// <summary>The lab of <c>conformance --cluster --hosts 1</c>: one host running calico-node.</summary>
public sealed class OneHostConformanceLab : ConformanceLabFixture
{
    protected override UpOptions Options { get; } = new(Hosts: 1);
}
