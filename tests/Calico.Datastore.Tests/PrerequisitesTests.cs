using Calico.TestKit;

namespace Calico.Datastore.Tests;

[Trait("Tier", "Root")]
public sealed class PrerequisitesTests
{
    [Fact]
    public void Require_MissingBinary_ThrowsWithInstallHint()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Prerequisites.Require("calico-no-such-binary"));

        Assert.Contains("calico-no-such-binary not found on PATH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Require_Etcd_IsInstalledForThisSuite()
    {
        Assert.True(File.Exists(Prerequisites.Require("etcd")));
    }
}
