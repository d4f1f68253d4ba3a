using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary>The calicoctl flows against the embedded store: a fresh SQLite file per test.</summary>
[Trait("Tier", "Root")]
public sealed class EmbeddedCalicoctlFlowTests : CalicoctlFlowTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("calicoctl-embedded-").FullName;

    public EmbeddedCalicoctlFlowTests()
    {
        Ctl = CtlBackends.Embedded(_dir);
    }

    protected override CtlRunner Ctl { get; }

    protected override void Cleanup() => Directory.Delete(_dir, recursive: true);
}

/// <summary>The same flows against a real etcd, one per class, emptied before each test.</summary>
[Trait("Tier", "Root")]
public sealed class EtcdCalicoctlFlowTests : CalicoctlFlowTests, IClassFixture<EtcdFixture>
{
    public EtcdCalicoctlFlowTests(EtcdFixture etcd)
    {
        Ctl = CtlBackends.EmptiedEtcd(etcd);
    }

    protected override CtlRunner Ctl { get; }
}
