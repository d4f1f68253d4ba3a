using Calico.TestKit;

namespace Calico.Architecture.Tests;

/// <summary>
/// Classes for the audit's own tests. Their tests are marked [SampleTest], not [Fact], and the outer class is
/// internal, so xunit neither runs them nor sees them, and the guard (which checks what xunit runs) skips them.
/// </summary>
internal static class TierAuditSamples
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class SampleTestAttribute : Attribute;

    public sealed class NoTier
    {
        [SampleTest]
        public static void Test() { }
    }

    [Trait("Tier", "Unit")]
    [Trait("Tier", "Root")]
    public sealed class TwoTiers
    {
        [SampleTest]
        public static void Test() { }
    }

    [Trait("Tier", "Fast")]
    public sealed class UnknownTier
    {
        [SampleTest]
        public static void Test() { }
    }

    [Trait("Tier", "Root")]
    [Trait("Category", "Slow")]
    public sealed class RootWithOtherTrait
    {
        [SampleTest]
        public static void Test() { }
    }

    [Trait("Tier", "Unit")]
    public sealed class TierOnMethod
    {
        [SampleTest]
        [Trait("Tier", "Root")]
        public static void Test() { }
    }

    [Trait("Tier", "Unit")]
    public abstract class TieredBase
    {
        [SampleTest]
        public static void Test() { }
    }

    [Trait("Tier", "Unit")]
    public sealed class DerivedFromTieredBase : TieredBase;

    public abstract class UntieredBase
    {
        [SampleTest]
        public static void Test() { }
    }

    [Trait("Tier", "Root")]
    public sealed class DerivedFromUntieredBase : UntieredBase;

    public sealed class NotATestClass
    {
        public static void Helper() { }
    }

    [Trait("Tier", "Unit")]
    public sealed class UnitWithEtcdFixture : IClassFixture<EtcdFixture>
    {
        [SampleTest]
        public static void Test() { }
    }

    [Trait("Tier", "Unit")]
    public sealed class UnitWithTlsEtcdFixture : IClassFixture<TlsEtcdFixture>
    {
        [SampleTest]
        public static void Test() { }
    }

    /// <summary>A project-local fixture that creates a namespace, as kernel test fixtures do.</summary>
    public sealed class LocalNamespaceFixture
    {
        public NetnsScope? Scope { get; set; }
    }

    [Trait("Tier", "Unit")]
    public sealed class UnitWithLocalNamespaceFixture : IClassFixture<LocalNamespaceFixture>
    {
        [SampleTest]
        public static void Test() { }
    }

    [Trait("Tier", "Unit")]
    public sealed class UnitStartingProcesses
    {
        public ChildProcess? Children { get; set; }

        [SampleTest]
        public static void Test() { }
    }

    [Trait("Tier", "Unit")]
    public sealed class UnitWithCleanFixture : IClassFixture<TempDirectory>
    {
        public IReadOnlyList<string> Names { get; set; } = [];

        [SampleTest]
        public static void Test() { }
    }
}
