using System.Net;
using Calico.Lab.Conformance;
using Calico.TestKit;

namespace Calico.Lab.Tests;

[Trait("Tier", "Unit")]
public sealed class RunnerTests
{
    private const string DenyIngressToA = """
        name: t
        pods: [x/a, x/b, y/a]
        probes: [TCP/80]
        steps:
        - apply: |
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: deny
              namespace: x
            spec:
              podSelector:
                matchLabels:
                  pod: a
          expect:
            TCP/80:
            - deny * -> x/a
        """;

    [Theory]
    [InlineData("deny * -> x/a", false, null, null, "x", "a")]
    [InlineData("allow y/* -> */b", true, "y", null, null, "b")]
    [InlineData("  deny   x/a   ->   *  ", false, "x", "a", null, null)]
    public void ExpectationEdit_Parse_Valid(string text, bool allow, string? fromNs, string? fromName, string? toNs, string? toName)
    {
        Assert.True(ExpectationEdit.TryParse(text, out var edit, out _));
        Assert.Equal(new ExpectationEdit(allow, new PodPattern(fromNs, fromName), new PodPattern(toNs, toName)), edit);
    }

    [Theory]
    [InlineData("block * -> x/a")]
    [InlineData("deny * x/a")]
    [InlineData("deny x -> x/a")]
    [InlineData("deny * -> x/a/b")]
    [InlineData("deny * => x/a")]
    public void ExpectationEdit_Parse_Invalid(string text)
    {
        Assert.False(ExpectationEdit.TryParse(text, out _, out var error));
        Assert.Contains(text.Trim(), error, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectationEdit_Expected_AppliesInOrderOverAllAllowed()
    {
        PodRef[] pods = [new("x", "a"), new("x", "b"), new("y", "a")];
        var edits = new[] { "deny * -> x/a", "allow y/* -> x/*", "deny */a -> y/a" }
            .Select(t => ExpectationEdit.TryParse(t, out var e, out _) ? e : throw new InvalidOperationException(t)).ToList();
        var m = ExpectationEdit.Expected(pods, edits);
        Assert.Null(m[0, 0]);
        Assert.False(m[1, 0]);
        Assert.True(m[2, 0]);
        Assert.True(m[0, 1]);
        Assert.False(m[0, 2]);
        Assert.True(m[1, 2]);
    }

    [Fact]
    public void Placeholders_IpAndCidr_Resolve()
    {
        var addresses = new Dictionary<PodRef, IPAddress> { [new("y", "b")] = IPAddress.Parse("10.244.3.7") };
        Assert.Equal("cidr: 10.244.3.7/32 net 10.0.0.0/8 and 10.244.3.0/24 x",
            Placeholders.Resolve("cidr: {{ip y/b}}/32 net {{cidr y/b 8}} and {{ cidr  y/b 24 }} x", addresses));
    }

    [Theory]
    [InlineData("{{ip y/zz}}")]
    [InlineData("{{cidr y/b 33}}")]
    [InlineData("{{mac y/b}}")]
    public void Placeholders_Bad_Throw(string text)
    {
        var addresses = new Dictionary<PodRef, IPAddress> { [new("y", "b")] = IPAddress.Parse("10.244.3.7") };
        Assert.Throws<CaseFormatException>(() => Placeholders.Resolve(text, addresses));
    }

    [Fact]
    public async Task Run_CorrectExpectation_Passes()
    {
        var result = await RunTextAsync(DenyIngressToA);
        Assert.True(result.Passed, result.Report);
    }

    [Fact]
    public async Task Run_WrongExpectation_FailsWithSideBySide()
    {
        var result = await RunTextAsync(DenyIngressToA.Replace("- deny * -> x/a", "- deny * -> x/b", StringComparison.Ordinal));
        Assert.False(result.Passed);
        Assert.Contains("step 1 (apply), TCP/80: 4 cell(s) differ", result.Report, StringComparison.Ordinal);
        Assert.Contains("expected", result.Report, StringComparison.Ordinal);
        Assert.Contains("| actual", result.Report, StringComparison.Ordinal);
        // x/b -> x/a is expected allowed but denied: marked in both tables.
        Assert.Contains("    x/b  .*  -   .   | x/b  X*  -   .\n", result.Report, StringComparison.Ordinal);
        Assert.Contains("x/b -> x/a: expected allow, got deny", result.Report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadYamlInApply_FailsTheCaseWithTheReason()
    {
        var text = DenyIngressToA.Replace("kind: NetworkPolicy", "kind: NetworkPolicy\n    bogus: [", StringComparison.Ordinal);
        var result = await RunTextAsync(text);
        Assert.False(result.Passed);
        Assert.Contains("step 1 (apply): cannot be applied:", result.Report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidObject_FailsWithValidationMessage()
    {
        const string text = """
            pods: [x/a, x/b]
            probes: [TCP/80]
            steps:
            - apply: |
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata:
                  name: bad
                spec:
                  selector: pod ==
              expect:
                TCP/80: []
            """;
        var result = await RunTextAsync(text);
        Assert.False(result.Passed);
        Assert.Contains("step 1 (apply): cannot be applied: apply GlobalNetworkPolicy(bad): error with field", result.Report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LabelsAndDelete_ChangeTheAnswer()
    {
        const string text = """
            name: t
            pods: [x/a, x/b, y/a]
            probes: [TCP/80, UDP/81]
            steps:
            - apply: |
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata:
                  name: only-blue
                spec:
                  selector: pod == 'a' && projectcalico.org/namespace == 'x'
                  types: [Ingress]
                  ingress:
                  - action: Allow
                    protocol: UDP
                    source:
                      namespaceSelector: color == 'blue'
                    destination:
                      ports: [serve-81-udp]
              expect:
                TCP/80: [deny * -> x/a]
                UDP/81: [deny * -> x/a]
            - labelNamespaces:
                y: {color: blue}
              expect:
                TCP/80: [deny * -> x/a]
                UDP/81: [deny * -> x/a, allow y/a -> x/a]
            - labelPods:
                x/b: {color: red}
              delete:
              - GlobalNetworkPolicy only-blue
              expect:
                TCP/80: []
                UDP/81: []
            """;
        var result = await RunTextAsync(text);
        Assert.True(result.Passed, result.Report);
    }

    [Fact]
    public async Task Run_DeleteOfNeverAppliedObject_FailsTheCase()
    {
        var text = DenyIngressToA + "\n- delete: [NetworkPolicy x/nothing]\n  expect:\n    TCP/80: []\n";
        var result = await RunTextAsync(text);
        Assert.False(result.Passed);
        Assert.Contains("step 2 (delete): cannot be applied:", result.Report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KubernetesPolicyDeletedByAppliedKind()
    {
        var text = DenyIngressToA + "\n- delete: [NetworkPolicy x/deny]\n  expect:\n    TCP/80: []\n";
        var result = await RunTextAsync(text);
        Assert.True(result.Passed, result.Report);
    }

    [Theory]
    [InlineData("pods: [x/a]\nprobes: [TCP/80]\nsteps:\n- expect:\n    TCP/99: []\n", "probe TCP/99 is not one of the case's probes")]
    [InlineData("pods: [x]\nprobes: [TCP/80]\n", "'x' is not ns/name")]
    [InlineData("pods: [x/a]\nprobes: [ICMP/80]\n", "is not PROTOCOL/PORT")]
    [InlineData("pods: [x/a]\nprobes: [TCP/80]\nwhat: 1\n", "unknown field 'what'")]
    public async Task Run_BadCase_Fails(string text, string reason)
    {
        using var dir = new TempDirectory("lab-case");
        var file = dir.File("case.yaml");
        await File.WriteAllTextAsync(file, text);
        var result = await ConformanceRunner.RunFileAsync(file, CancellationToken.None);
        Assert.False(result.Passed);
        Assert.Contains(reason, result.Report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "conformance", "--cluster", "--hosts", "x", "y" }, "--hosts 'x' is not a number")]
    [InlineData(new[] { "conformance" }, "no case file or directory given")]
    [InlineData(new[] { "conformance", "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "conformance", "/nonexistent/case.yaml" }, "no such file or directory")]
    public async Task Cli_BadArguments_Exit1(string[] args, string message)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(1, await LabCli.RunAsync(args, output, error, CancellationToken.None));
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_EmptyDirectory_FailsWithZeroCases()
    {
        using var dir = new TempDirectory("lab-empty");
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.NotEqual(0, await LabCli.RunAsync(["conformance", "--engine", dir.Path], output, error, CancellationToken.None));
        Assert.Equal("0 passed, 0 failed\n", output.ToString());
        Assert.Contains("no case", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_OneFailingCase_ExitsNonZero_AndLeavesNoStore()
    {
        using var dir = new TempDirectory("lab-fail");
        await File.WriteAllTextAsync(dir.File("a-pass.yaml"), DenyIngressToA);
        await File.WriteAllTextAsync(dir.File("b-fail.yaml"), DenyIngressToA.Replace("- deny * -> x/a", "[]", StringComparison.Ordinal).Replace("TCP/80:\n    []", "TCP/80: []", StringComparison.Ordinal));
        using var root = new TempDirectory("lab-root");
        ConformanceWorld.WorkRoot.Value = root.Path; // other assemblies run cases in parallel in the shared temp folder
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(1, await LabCli.RunAsync(["conformance", "--engine", dir.Path], output, error, CancellationToken.None));
        var text = output.ToString();
        Assert.StartsWith("PASS " + dir.File("a-pass.yaml") + "\nFAIL " + dir.File("b-fail.yaml") + "\n", text, StringComparison.Ordinal);
        Assert.EndsWith("1 passed, 1 failed\n", text, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(root.Path));
    }

    private static async Task<CaseResult> RunTextAsync(string text)
    {
        var parsed = CaseParser.Parse(text);
        return await ConformanceRunner.RunCaseAsync("case.yaml", parsed, CancellationToken.None);
    }
}
