using Calico.Lab.Conformance;

namespace Calico.Lab.Tests;

/// <summary>One conformance case on a lab: it passes, and agrees with the policy engine (what the folder test compared line for line).</summary>
internal static class ConformanceAssert
{
    public static async Task PassesAsOnEngineAsync(PolicyCase policyCase, ConformanceLabFixture lab)
    {
        ArgumentNullException.ThrowIfNull(policyCase);
        ArgumentNullException.ThrowIfNull(lab);
        var engine = await ConformanceRunner.RunFileAsync(policyCase.Path, CancellationToken.None);

        var cluster = await ConformanceRunner.RunFileAsync(policyCase.Path, lab.Worlds, CancellationToken.None);

        Assert.True(cluster.Passed, "FAIL " + policyCase + " on the lab\n" + cluster.Report);
        Assert.True(engine.Passed, "FAIL " + policyCase + " on the engine\n" + engine.Report);
    }
}
