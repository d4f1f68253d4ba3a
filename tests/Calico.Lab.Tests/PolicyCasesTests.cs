using Calico.Lab.Conformance;

namespace Calico.Lab.Tests;

/// <summary>Every case in ../shared/conformance/policy must pass on the policy engine; one test per case file.</summary>
[Trait("Tier", "Unit")]
public sealed class PolicyCasesTests
{
    [Fact]
    public void CasesFolder_Exists_AndHoldsCases()
    {
        var cases = PolicyCases.Directory();
        Assert.True(Directory.GetFiles(cases, "*.yaml").Length > 0, "no *.yaml case in " + cases);
    }

    [Theory]
    [MemberData(nameof(PolicyCase.All), MemberType = typeof(PolicyCase))]
    public async Task Case_OnEngine_Passes(PolicyCase policyCase)
    {
        ArgumentNullException.ThrowIfNull(policyCase);

        var result = await ConformanceRunner.RunFileAsync(policyCase.Path, CancellationToken.None);

        Assert.True(result.Passed, "FAIL " + policyCase + "\n" + result.Report);
    }

    [Fact]
    public async Task Cli_WholeFolder_EndsWithSummaryLine()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        await LabCli.RunAsync(["conformance", "--engine", PolicyCases.Directory()], output, error, CancellationToken.None);
        var lines = output.ToString().TrimEnd('\n').Split('\n');
        Assert.Matches(@"^\d+ passed, \d+ failed$", lines[^1]);
        Assert.Equal(PolicyCases.FileNames().Count, lines.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal) || l.StartsWith("FAIL ", StringComparison.Ordinal)));
    }
}
