using Calico.Lab.Cluster;

namespace Calico.Lab.Tests;

/// <summary>
/// The lab of <c>conformance --cluster --hosts 3 --encapsulation vxlan-crosssubnet</c>: VXLAN carries the traffic
/// to and from host3 (the fabric router knows no pod routes); host1 &lt;-&gt; host2 is routed by BGP.
/// </summary>
public sealed class ThreeHostConformanceLab : ConformanceLabFixture
{
    protected override UpOptions Options { get; } = new(Hosts: 3, Encapsulation: UpOptions.EncapsulationVxlanCrossSubnet);
}
