using System.Text;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary>
/// One unreadable value in the store (raw bytes written under a resource's key, as a torn write or a hand edit
/// leaves it) must not make its kind unusable: calicoctl lists the rest, names the key, and can delete or
/// overwrite it. Run against both datastores.
/// </summary>
public abstract class CorruptDataTests : IDisposable
{
    private const string GoodPolicies = """
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata:
          name: good-a
        spec:
          selector: app == 'a'
        ---
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata:
          name: good-b
        spec:
          selector: app == 'b'
        """;

    private const string Repaired = """
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata:
          name: bad
        spec:
          selector: app == 'repaired'
        """;

    protected static string BadKey { get; } = ResourceIdentity.Key(ResourceKinds.GlobalNetworkPolicy, null, "bad");

    protected abstract CtlRunner Ctl { get; }

    protected abstract IKeyValueStore OpenStore();

    public void Dispose()
    {
        Cleanup();
        GC.SuppressFinalize(this);
    }

    protected virtual void Cleanup()
    {
    }

    private async Task CorruptAsync()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", GoodPolicies)).ExitCode);
        await using var store = OpenStore();
        await store.UpdateAsync(BadKey, Encoding.UTF8.GetBytes("{\"kind\":\"GlobalNetworkPolicy\",\"spec\":{\"selector\":"), 0, CancellationToken.None);
    }

    [Fact]
    public async Task Get_CorruptKey_ListsGoodItemsNamesKeyExitsNonZero()
    {
        await CorruptAsync();

        var result = await Ctl.RunAsync("get globalnetworkpolicies");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("good-a", result.Out, StringComparison.Ordinal);
        Assert.Contains("good-b", result.Out, StringComparison.Ordinal);
        Assert.Contains($"Error: cannot decode {BadKey}: ", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);

        var single = await Ctl.RunAsync("get globalnetworkpolicy bad -o yaml");
        Assert.Equal(1, single.ExitCode);
        Assert.Contains($"cannot decode {BadKey}", single.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_CorruptKey_RemovesItAndKindIsUsableAgain()
    {
        await CorruptAsync();

        var deleted = await Ctl.RunAsync("delete globalnetworkpolicy bad");

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        await using (var store = OpenStore())
        {
            Assert.Null(await store.GetAsync(BadKey, CancellationToken.None));
        }

        var list = await Ctl.RunAsync("get globalnetworkpolicies");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("good-a", list.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apply")]
    [InlineData("replace")]
    public async Task Overwrite_CorruptKey_ReplacesStoredValue(string action)
    {
        await CorruptAsync();

        var written = await Ctl.RunAsync($"{action} -f -", Repaired);

        Assert.True(written.ExitCode == 0, written.ToString());
        var got = await Ctl.RunAsync("get globalnetworkpolicy bad -o yaml");
        Assert.True(got.ExitCode == 0, got.ToString());
        Assert.Contains("app == 'repaired'", got.Out, StringComparison.Ordinal);
        Assert.Contains("uid:", got.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_OverCorruptKey_IsAlreadyExistsAndSaysHowToRepair()
    {
        await CorruptAsync();

        var created = await Ctl.RunAsync("create -f -", Repaired);

        Assert.Equal(1, created.ExitCode);
        Assert.Contains("resource already exists: GlobalNetworkPolicy(bad)", created.Err, StringComparison.Ordinal);
        Assert.Contains("cannot be decoded", created.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_CorruptKeyWithStaleVersion_IsConflictAndKeepsIt()
    {
        await CorruptAsync();
        const string stale = """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: bad
              resourceVersion: "1"
            """;

        var result = await Ctl.RunAsync("delete -f -", stale);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("update conflict", result.Err, StringComparison.Ordinal);
        await using var store = OpenStore();
        Assert.NotNull(await store.GetAsync(BadKey, CancellationToken.None));
    }
}

[Trait("Tier", "Unit")]
public sealed class EmbeddedCorruptDataTests : CorruptDataTests
{
    private readonly TempDirectory _dir = new("calicoctl-corrupt");

    public EmbeddedCorruptDataTests()
    {
        Ctl = CtlBackends.Embedded(_dir.Path);
    }

    protected override CtlRunner Ctl { get; }

    protected override IKeyValueStore OpenStore() =>
        DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedPath = Ctl.Environment["CALICO_DATASTORE_PATH"] });

    protected override void Cleanup() => _dir.Dispose();

    [Theory]
    [InlineData("calico-typo.db", "no embedded datastore at this path")]
    [InlineData("missing-dir/calico.db", "does not exist")]
    public async Task Get_MistypedEmbeddedPath_ErrorsNamingSettingAndCreatesNothing(string relative, string reason)
    {
        var path = Path.Combine(_dir.Path, relative);
        var ctl = new CtlRunner(new Dictionary<string, string> { ["DATASTORE_TYPE"] = "embedded", ["CALICO_DATASTORE_PATH"] = path });

        var result = await ctl.RunAsync("get ippools");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"datastorePath=\"{path}\"", result.Err, StringComparison.Ordinal);
        Assert.Contains(reason, result.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)) && Path.GetDirectoryName(path) != _dir.Path);
        Assert.Equal(["calico.db"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Where(f => f!.StartsWith("calico", StringComparison.Ordinal) && !f.Contains('-', StringComparison.Ordinal)));
    }
}

[Trait("Tier", "Root")]
public sealed class EtcdCorruptDataTests : CorruptDataTests, IClassFixture<EtcdFixture>
{
    private readonly string _endpoint;

    public EtcdCorruptDataTests(EtcdFixture etcd)
    {
        Ctl = CtlBackends.EmptiedEtcd(etcd);
        _endpoint = etcd.Server.ClientUrl;
    }

    protected override CtlRunner Ctl { get; }

    protected override IKeyValueStore OpenStore() =>
        DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdEndpoints = [_endpoint] });
}
