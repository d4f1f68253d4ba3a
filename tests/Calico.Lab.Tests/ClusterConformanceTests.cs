using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// Root tier: <c>conformance --cluster</c> through the CLI on a lab it brings up and tears down itself (the policy
/// cases, one test each, are in <see cref="OneHostConformanceTests"/> and <see cref="CrossHostConformanceTests"/>).
/// </summary>
[Trait("Tier", "Root")]
public sealed class ClusterConformanceTests
{
    // Without calico-node nothing enforces policy, so only cases whose every cell is "allowed" can pass; these
    // still exercise apply, labels, delete, and the reset between cases (same pod names twice). One host: with no
    // agent there are no routes between hosts.
    private const string AllAllowedCase = """
        name: all-allowed
        pods: [x/a, x/b, y/a]
        probes: [TCP/80, UDP/81]
        steps:
        - expect:
            TCP/80: []
            UDP/81: []
        - apply: |
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkSet
            metadata:
              name: lab-nets
              labels: {role: lab}
            spec:
              nets: [{{cidr x/a 16}}]
          labelPods:
            x/b: {tier: back}
          labelNamespaces:
            y: {team: blue}
          expect:
            TCP/80: []
            UDP/81: []
        - delete: [GlobalNetworkSet lab-nets]
          expect:
            TCP/80: []
        """;

    [Fact]
    public async Task Cluster_WithoutAgent_AllAllowedCases_Pass_AndLeaveNothing()
    {
        IpTool.RequireRootTier();
        using var dir = new TempDirectory("lab-cluster");
        await File.WriteAllTextAsync(dir.File("a.yaml"), AllAllowedCase);
        await File.WriteAllTextAsync(dir.File("b.yaml"), AllAllowedCase);
        var before = Namespaces();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await LabCli.RunAsync(["conformance", "--cluster", "--no-node", dir.Path], output, error, CancellationToken.None);
        Assert.True(code == 0, output + "\n" + error);
        Assert.Equal($"PASS {dir.File("a.yaml")}\nPASS {dir.File("b.yaml")}\n2 passed, 0 failed\n", output.ToString());
        Assert.DoesNotContain(Namespaces().Except(before), IsOfALabThatIsDown);
    }

    /// <summary>
    /// A namespace of a <c>conformance --cluster</c> lab ("cf…") whose state directory is gone, so not one that another
    /// test class is running at the same time (the conformance fixtures): down removes the namespaces, then the directory.
    /// </summary>
    private static bool IsOfALabThatIsDown(string netns)
    {
        if (!netns.StartsWith("cf", StringComparison.Ordinal))
        {
            return false;
        }

        var lab = netns.Split('-')[0];
        return Directory.GetDirectories(Path.GetTempPath(), "calico-lab-" + lab + "-*").Length == 0;
    }

    private static List<string> Namespaces() =>
        [.. IpTool.Run("netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0])];
}
