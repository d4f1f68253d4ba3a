namespace Calico.Lab.Tests;

/// <summary>Where the policy conformance cases live: ../shared/conformance/policy beside the repository.</summary>
public static class PolicyCases
{
    /// <summary>The folder's full path; fails the test naming what is missing.</summary>
    public static string Directory()
    {
        var cases = Find();
        Assert.True(cases is not null, "cannot find the repository root (Calico.sln) above " + AppContext.BaseDirectory);
        Assert.True(System.IO.Directory.Exists(cases), "the conformance cases folder is missing: " + cases);
        return cases!;
    }

    /// <summary>
    /// The case file names in name order; empty when the folder is missing (test discovery must not throw:
    /// <see cref="PolicyCasesTests.CasesFolder_Exists_AndHoldsCases"/> reports it).
    /// </summary>
    public static IReadOnlyList<string> FileNames()
    {
        var cases = Find();
        return cases is null || !System.IO.Directory.Exists(cases)
            ? []
            : [.. System.IO.Directory.GetFiles(cases, "*.yaml").Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
    }

    private static string? Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Calico.sln")))
        {
            dir = dir.Parent;
        }

        return dir is null ? null : System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "conformance", "policy"));
    }
}
