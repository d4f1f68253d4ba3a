using Calico.Lab.Conformance;

namespace Calico.Lab.Tests;

/// <summary>Every case in ../shared/conformance/policy must pass on the policy engine.</summary>
[Trait("Tier", "Unit")]
public sealed class PolicyCasesTests
{
    public static string CasesDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Calico.sln")))
        {
            dir = dir.Parent;
        }

        Assert.True(dir is not null, "cannot find the repository root (Calico.sln) above " + AppContext.BaseDirectory);
        var cases = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "conformance", "policy"));
        Assert.True(Directory.Exists(cases), "the conformance cases folder is missing: " + cases);
        return cases;
    }

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Calico.sln")))
        {
            dir = dir.Parent;
        }

        var cases = dir is null ? null : Path.Combine(dir.FullName, "..", "shared", "conformance", "policy");
        if (cases is not null && Directory.Exists(cases))
        {
            foreach (var f in Directory.GetFiles(cases, "*.yaml").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(f));
            }
        }

        return data;
    }

    [Fact]
    public void CasesFolder_Exists_AndHoldsCases()
    {
        var cases = CasesDirectory();
        Assert.True(Directory.GetFiles(cases, "*.yaml").Length > 0, "no *.yaml case in " + cases);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case_OnEngine_Passes(string file)
    {
        var result = await ConformanceRunner.RunFileAsync(Path.Combine(CasesDirectory(), file), CancellationToken.None);
        Assert.True(result.Passed, "FAIL " + file + "\n" + result.Report);
    }

    [Fact]
    public async Task Cli_WholeFolder_EndsWithSummaryLine()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        await LabCli.RunAsync(["conformance", "--engine", CasesDirectory()], output, error, CancellationToken.None);
        var lines = output.ToString().TrimEnd('\n').Split('\n');
        Assert.Matches(@"^\d+ passed, \d+ failed$", lines[^1]);
        Assert.Equal(Directory.GetFiles(CasesDirectory(), "*.yaml").Length, lines.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal) || l.StartsWith("FAIL ", StringComparison.Ordinal)));
    }
}
