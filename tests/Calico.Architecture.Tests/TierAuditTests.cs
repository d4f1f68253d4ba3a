using System.Reflection;
using Calico.TestKit;
using static Calico.Architecture.Tests.TierAuditSamples;

namespace Calico.Architecture.Tests;

/// <summary>The guard's rules on sample classes: each rule fails where it should, and only there.</summary>
[Trait("Tier", "Unit")]
public sealed class TierAuditTests
{
    private static bool IsSampleTest(MethodInfo method) => method.IsDefined(typeof(SampleTestAttribute));

    private static IReadOnlyList<string> Problems(Type type) => TierAudit.TraitProblems(type, IsSampleTest);

    private static IReadOnlyList<string> RootChains(Type type) =>
        TierAudit.RootDependencies(type, RootTierTypes.All, a => a == typeof(TierAuditTests).Assembly || a == typeof(RootTierTypes).Assembly);

    [Theory]
    [InlineData(typeof(RootWithOtherTrait))]
    [InlineData(typeof(DerivedFromUntieredBase))]
    [InlineData(typeof(UnitWithCleanFixture))]
    public void TraitProblems_OneValidTierOnTheClass_None(Type type)
    {
        Assert.Empty(Problems(type));
    }

    [Theory]
    [InlineData(typeof(NoTier), "no [Trait(\"Tier\", ...)]")]
    [InlineData(typeof(TwoTiers), "2 Tier traits (Unit, Root)")]
    [InlineData(typeof(UnknownTier), "Tier \"Fast\" is not one of Unit, Root, Cluster")]
    [InlineData(typeof(TierOnMethod), "TierOnMethod.Test: a Tier trait on a method")]
    [InlineData(typeof(DerivedFromTieredBase), "base class")]
    public void TraitProblems_MissingDoubleUnknownMisplacedTier_NamedWithTheClass(Type type, string expected)
    {
        var problem = Assert.Single(Problems(type));

        Assert.Contains(type.Name, problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(NoTier), true)]
    [InlineData(typeof(DerivedFromTieredBase), true)]
    [InlineData(typeof(TieredBase), false)]
    [InlineData(typeof(NotATestClass), false)]
    public void IsTestClass_ConcreteWithTestMethods(Type type, bool expected)
    {
        Assert.Equal(expected, TierAudit.IsTestClass(type, IsSampleTest));
    }

    [Theory]
    [InlineData(typeof(UnitWithEtcdFixture), "UnitWithEtcdFixture (fixture) -> EtcdFixture")]
    [InlineData(typeof(UnitWithTlsEtcdFixture), "UnitWithTlsEtcdFixture (fixture) -> TlsEtcdFixture")]
    [InlineData(typeof(UnitWithLocalNamespaceFixture), "UnitWithLocalNamespaceFixture (fixture) -> LocalNamespaceFixture -> NetnsScope")]
    [InlineData(typeof(UnitStartingProcesses), "UnitStartingProcesses -> ChildProcess")]
    public void RootDependencies_FixtureOrFieldNeedingRoot_Found(Type type, string chain)
    {
        Assert.Equal([chain], RootChains(type));
    }

    [Fact]
    public void RootDependencies_CleanClass_None()
    {
        Assert.Empty(RootChains(typeof(UnitWithCleanFixture)));
        Assert.Empty(RootChains(typeof(RootWithOtherTrait)));
    }
}
