using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// Root tier: every policy conformance case passes on a three-host lab, pods spread round-robin over the hosts, and
/// the output is the engine's line for line. VXLAN CrossSubnet carries the traffic to and from host3 (the fabric
/// router knows no pod routes); host1 &lt;-&gt; host2 is routed by BGP.
/// </summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed class CrossHostConformanceTests
{
    [Fact]
    public async Task Cluster_EveryPolicyCase_PassesOnThreeHosts_AndAgreesWithEngine()
    {
        IpTool.RequireRootTier();
        var cases = PolicyCasesTests.CasesDirectory();
        using var engineOutput = new StringWriter();
        Assert.Equal(0, await LabCli.RunAsync(["conformance", "--engine", cases], engineOutput, TextWriter.Null, CancellationToken.None));

        using var clusterOutput = new StringWriter();
        using var clusterError = new StringWriter();
        var code = await LabCli.RunAsync(["conformance", "--cluster", "--hosts", "3", "--encapsulation", "vxlan-crosssubnet", cases], clusterOutput, clusterError, CancellationToken.None);
        Assert.True(code == 0, clusterOutput + "\n" + clusterError);
        Assert.Equal(engineOutput.ToString(), clusterOutput.ToString());
    }
}
