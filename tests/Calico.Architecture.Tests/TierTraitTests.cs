using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Architecture.Tests;

/// <summary>
/// The guard behind <c>./test.sh --tier</c>: every test class of every test assembly says its tier, so a new class
/// cannot be left out of a tier or land in the unit tier while needing root.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class TierTraitTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryTestProject_IsReferencedHere_SoItsClassesAreChecked()
    {
        var loaded = TestAssemblies.Load().Select(a => a.GetName().Name).ToHashSet(StringComparer.Ordinal);

        var missing = TestAssemblies.RepositoryTestProjects().Where(p => !loaded.Contains(p)).ToList();

        Assert.True(missing.Count == 0,
            "test projects the tier guard cannot see (add a ProjectReference in Calico.Architecture.Tests.csproj): " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryTestClass_HasExactlyOneValidTierTrait()
    {
        var assemblies = TestAssemblies.Load();
        var classes = assemblies.SelectMany(TestAssemblies.TestClasses).ToList();

        var problems = classes.SelectMany(c => TierAudit.TraitProblems(c, TierAudit.IsXunitTestMethod)).ToList();

        Assert.True(classes.Count > 100, $"found only {classes.Count} test classes in {assemblies.Count} assemblies");
        Assert.True(problems.Count == 0,
            $"{problems.Count} test class(es) without exactly one [Trait(\"Tier\", \"Unit|Root|Cluster\")] on the class:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void UnitTestClasses_HoldNoRootOrProcessFixture()
    {
        var offenders = TestAssemblies.Load()
            .SelectMany(TestAssemblies.TestClasses)
            .Where(c => TierAudit.DeclaredTiers(c).Contains(TierAudit.Unit))
            .SelectMany(c => TierAudit.RootDependencies(c, RootTierTypes.All, TestAssemblies.IsTestCode).Select(chain => c.FullName + ": " + chain))
            .ToList();

        Assert.True(offenders.Count == 0,
            "Unit-tier classes that need root or start processes (mark them Root, or Cluster):\n" + string.Join("\n", offenders));
    }

    /// <summary>The fixture check is not blind on the real assemblies: it sees the etcd and namespace fixtures of root-tier classes.</summary>
    [Fact]
    public void RootDependencies_FoundInRootAndClusterClasses()
    {
        var found = TestAssemblies.Load()
            .SelectMany(TestAssemblies.TestClasses)
            .Where(c => !TierAudit.DeclaredTiers(c).Contains(TierAudit.Unit))
            .SelectMany(c => TierAudit.RootDependencies(c, RootTierTypes.All, TestAssemblies.IsTestCode).Select(chain => c.FullName + ": " + chain))
            .ToList();
        foreach (var line in found)
        {
            output.WriteLine(line);
        }

        Assert.Contains(found, line => line.EndsWith("-> EtcdFixture", StringComparison.Ordinal));
        Assert.Contains(found, line => line.EndsWith("-> EtcdClusterFixture", StringComparison.Ordinal));
        Assert.Contains(found, line => line.EndsWith("-> NetnsScope", StringComparison.Ordinal));
    }
}
