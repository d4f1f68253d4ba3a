using System.Reflection;
using System.Xml.Linq;

namespace Calico.Architecture.Tests;

/// <summary>The test assemblies beside this one (every test project is referenced), and the repository's test projects.</summary>
internal static class TestAssemblies
{
    private const string Pattern = "Calico.*.Tests.dll";

    /// <summary>Every Calico.*.Tests assembly in the output directory, this one included.</summary>
    public static IReadOnlyList<Assembly> Load() =>
        [.. Directory.GetFiles(AppContext.BaseDirectory, Pattern)
            .Order(StringComparer.Ordinal)
            .Select(path => Assembly.Load(AssemblyName.GetAssemblyName(path)))];

    /// <summary>The classes xunit runs in <paramref name="assembly"/>: public, concrete, with test methods.</summary>
    public static IEnumerable<Type> TestClasses(Assembly assembly) =>
        assembly.GetTypes().Where(t => t.IsVisible && TierAudit.IsTestClass(t, TierAudit.IsXunitTestMethod)).OrderBy(t => t.FullName, StringComparer.Ordinal);

    /// <summary>True for the assemblies whose types the fixture check follows (test projects and the TestKit).</summary>
    public static bool IsTestCode(Assembly assembly)
    {
        var name = assembly.GetName().Name ?? "";
        return name.EndsWith(".Tests", StringComparison.Ordinal) || name == "Calico.TestKit";
    }

    /// <summary>The names of the projects under tests/ that are test projects (IsTestProject true).</summary>
    public static IReadOnlyList<string> RepositoryTestProjects()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Calico.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, "cannot find the repository root (Calico.sln) above " + AppContext.BaseDirectory);
        return [.. Directory.GetFiles(Path.Combine(root!.FullName, "tests"), "*.csproj", SearchOption.AllDirectories)
            .Where(IsTestProject)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Order(StringComparer.Ordinal)];
    }

    private static bool IsTestProject(string csproj) =>
        XDocument.Load(csproj).Descendants("IsTestProject").Any(e => string.Equals(e.Value.Trim(), "true", StringComparison.OrdinalIgnoreCase));
}
