using Calico.Client;
using Calico.Datastore;
using Calico.Ipam;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary>
/// <c>calicoctl datastore migrate</c> end to end, in-process: lock/export/import/unlock between datastores, bad input
/// changing nothing, a non-empty target refused unless told, a half-done import re-run, IPAM bytes equal after a round trip.
/// </summary>
public abstract class DatastoreMigrateTests : IDisposable
{
    protected const string Resources = """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: pool1
        spec:
          cidr: 10.66.0.0/16
          blockSize: 26
          vxlanMode: CrossSubnet
        ---
        apiVersion: projectcalico.org/v3
        kind: Tier
        metadata:
          name: security
        spec:
          order: 100
        ---
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata:
          name: security.deny-db
        spec:
          tier: security
          selector: app == 'db'
          ingress:
          - action: Deny
            source:
              nets: [192.0.2.0/24]
        ---
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: allow-web
          namespace: ns1
        spec:
          selector: app == 'web'
          ingress:
          - action: Allow
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: ns1
          labels:
            team: a
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: k8s-deny
          namespace: ns1
        spec:
          podSelector: {}
          policyTypes: [Ingress]
        ---
        apiVersion: projectcalico.org/v3
        kind: Node
        metadata:
          name: host1
          labels:
            rack: r1
        spec:
          bgp:
            ipv4Address: 192.0.2.10/24
        ---
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata:
          name: default
        spec:
          logSeverityScreen: Info
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: host1-k8s-pod1-eth0
          namespace: ns1
          labels:
            app: web
        spec:
          node: host1
          orchestrator: k8s
          pod: pod1
          endpoint: eth0
          interfaceName: cali1234567890a
          ipNetworks: [10.66.0.1/32]
          profiles: [kns.ns1]
        """;

    protected TempDirectory Dir { get; } = new("migrate");

    public void Dispose()
    {
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A source with resources of many kinds and real IPAM data (blocks, affinities, handles, config, a release).</summary>
    protected async Task<CtlRunner> PopulatedSourceAsync(string name)
    {
        var source = EmbeddedAt(name, create: true);
        Ok(await source.RunAsync("apply -f -", Resources));
        Ok(await source.RunAsync("ipam configure --strictaffinity=true"));
        await using (var store = Open(source))
        {
            var ipam = new IpamClient(store, TimeProvider.System);
            foreach (string handle in new[] { "k8s-pod-network.a", "k8s-pod-network.b<&>", "vxlan-tunnel-addr-host1", "k8s-pod-network.c" })
            {
                await ipam.AutoAssignAsync(new AutoAssignArgs
                {
                    Num4 = 1,
                    HandleId = handle,
                    Hostname = "host1",
                    Attributes = new Dictionary<string, string> { ["node"] = "host1", ["pod"] = handle },
                }, CancellationToken.None);
            }

            await ipam.ReleaseByHandleAsync("k8s-pod-network.c", CancellationToken.None);
        }

        return source;
    }

    protected CtlRunner EmbeddedAt(string name, bool create)
    {
        string path = Dir.File(name + ".db");
        if (create)
        {
            CtlBackends.CreateEmbeddedStore(path);
        }

        return new CtlRunner(new Dictionary<string, string> { ["DATASTORE_TYPE"] = "embedded", ["CALICO_DATASTORE_PATH"] = path });
    }

    protected static IKeyValueStore Open(CtlRunner ctl)
    {
        var options = CalicoApiConfig.LoadFromEnvironment(n => ctl.Environment.TryGetValue(n, out var v) ? v : null);
        options.EmbeddedCreate = true;
        return DatastoreFactory.Open(options);
    }

    /// <summary>Every key under <paramref name="prefix"/> with its exact bytes.</summary>
    protected static async Task<IReadOnlyList<(string Key, string Value)>> DumpAsync(CtlRunner ctl, string prefix)
    {
        await using var store = Open(ctl);
        var list = await store.ListAsync(prefix, CancellationToken.None);
        return [.. list.Items.Select(kv => (kv.Key, Convert.ToBase64String(kv.Value)))];
    }

    protected async Task<string> ExportAsync(CtlRunner ctl, string name)
    {
        var export = await ctl.RunAsync("datastore migrate export");
        Ok(export);
        string path = Dir.File(name + ".export");
        await File.WriteAllTextAsync(path, export.Out);
        return path;
    }

    protected static CtlResult Ok(CtlResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    protected static string[] Sections(string path) => File.ReadAllText(path).Split("===\n");
}

[Trait("Tier", "Unit")]
public sealed class EmbeddedDatastoreMigrateTests : DatastoreMigrateTests
{
    [Fact]
    public async Task LockExportUnlock_ExportRefusedUnlessLocked_UpstreamMessages()
    {
        var source = await PopulatedSourceAsync("src");

        var refused = await source.RunAsync("datastore migrate export");
        var locked = Ok(await source.RunAsync("datastore migrate lock"));
        var export = Ok(await source.RunAsync("datastore migrate export"));
        var unlocked = Ok(await source.RunAsync("datastore migrate unlock"));
        var info = Ok(await source.RunAsync("get clusterinformation default -o yaml"));

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(DatastoreLock.NotLockedMessage + "\n", refused.Err);
        Assert.Equal("", refused.Out);
        Assert.Equal("Datastore locked.\n", locked.Out);
        Assert.Equal("Datastore unlocked.\n", unlocked.Out);
        Assert.Contains("datastoreReady: true", info.Out, StringComparison.Ordinal);
        string[] sections = export.Out.Split("===\n");
        Assert.Equal(3, sections.Length);
        foreach (string kind in new[] { "IPPoolList", "TierList", "GlobalNetworkPolicyList", "NodeList", "WorkloadEndpointList", "NamespaceList" })
        {
            Assert.Contains("kind: " + kind, sections[0], StringComparison.Ordinal);
        }

        // Derived objects (knp.default.*, kns.*) and the synthesized default-allow profile are re-made on import, not exported.
        Assert.DoesNotContain("knp.default.k8s-deny", sections[0], StringComparison.Ordinal);
        Assert.DoesNotContain("name: kns.ns1", sections[0], StringComparison.Ordinal);
        Assert.DoesNotContain("projectcalico-default-allow", sections[0], StringComparison.Ordinal);
        Assert.Contains("\"datastoreReady\": false", sections[1], StringComparison.Ordinal);
        Assert.Contains("\"block_affinities\": [", sections[2], StringComparison.Ordinal);
        Assert.Contains("\"Key\": \"/calico/ipam/v2/handle/k8s-pod-network.b\\u003c\\u0026\\u003e\"", sections[2], StringComparison.Ordinal);
        Assert.Contains("\"Key\": \"/calico/ipam/v2/config\"", sections[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_BadInput_ErrorNamesItAndChangesNothing()
    {
        var target = EmbeddedAt("target", create: true);
        Ok(await target.RunAsync("apply -f -", "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: t1\nspec:\n  order: 5\n"));
        var before = await DumpAsync(target, "/calico/");
        string garbled = Dir.File("garbled.export");
        await File.WriteAllTextAsync(garbled, "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.0.0.0/8\n---\n");
        string unknownKind = Dir.File("unknown.export");
        await File.WriteAllTextAsync(unknownKind, "apiVersion: projectcalico.org/v3\nkind: Gadget\nmetadata:\n  name: g\n---\n===\n{\"kind\":\"ClusterInformation\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"default\"},\"spec\":{\"clusterGUID\":\"g\"}}\n===\n{}\n");

        var noFlag = await target.RunAsync("datastore migrate import");
        var missing = await target.RunAsync("datastore migrate import -f " + Dir.File("nope.export"));
        var notExport = await target.RunAsync("datastore migrate import -f " + garbled);
        var unknown = await target.RunAsync("datastore migrate import -f " + unknownKind);

        Assert.All(new[] { noFlag, missing, notExport, unknown }, r => Assert.Equal(1, r.ExitCode));
        Assert.Contains("-f/--filename is missing", noFlag.Err, StringComparison.Ordinal);
        Assert.Contains("open " + Dir.File("nope.export") + ": no such file or directory", missing.Err, StringComparison.Ordinal);
        Assert.Contains(garbled + ": it has 0 '===' separator line(s)", notExport.Err, StringComparison.Ordinal);
        Assert.Contains("unknown resource type (Gadget)", unknown.Err, StringComparison.Ordinal);
        Assert.Equal(before, await DumpAsync(target, "/calico/"));
    }

    [Fact]
    public async Task Import_NonEmptyTarget_RefusedUnlessAllowNonEmpty()
    {
        var source = await PopulatedSourceAsync("src");
        Ok(await source.RunAsync("datastore migrate lock"));
        string file = await ExportAsync(source, "src");
        var target = EmbeddedAt("target", create: true);
        Ok(await target.RunAsync("apply -f -", "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: existing\nspec:\n  nets: [198.51.100.0/24]\n"));
        var before = await DumpAsync(target, "/calico/");

        var refused = await target.RunAsync("datastore migrate import -f " + file);
        var after = await DumpAsync(target, "/calico/");
        var allowed = await target.RunAsync("datastore migrate import --allow-non-empty -f " + file);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("datastore already has Calico resources: found existing Calico GlobalNetworkSet resource", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--allow-non-empty", refused.Err, StringComparison.Ordinal);
        Assert.Equal(before, after);
        Ok(allowed);
        Assert.Equal(await DumpAsync(source, "/calico/ipam/"), await DumpAsync(target, "/calico/ipam/"));
        Assert.Contains("existing", Ok(await target.RunAsync("get globalnetworksets")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_IntoNewEmbeddedStore_LockedWithSourceIdentity_UnlockReleases()
    {
        var source = await PopulatedSourceAsync("src");
        Ok(await source.RunAsync("datastore migrate lock"));
        string file = await ExportAsync(source, "src");
        var target = EmbeddedAt("new", create: false); // import creates it (its directory exists)

        var imported = Ok(await target.RunAsync("datastore migrate import -f " + file));
        var exportedAgain = Ok(await target.RunAsync("datastore migrate export"));
        Ok(await target.RunAsync("datastore migrate unlock"));

        Assert.Contains("Successfully applied 12 resource(s)\n", imported.Out, StringComparison.Ordinal);
        Assert.Contains("Datastore information successfully imported.", imported.Out, StringComparison.Ordinal);
        string[] first = Sections(file);
        string[] second = exportedAgain.Out.Split("===\n");
        Assert.Equal(first[0], second[0]);
        Assert.Equal(first[2], second[2]);
        Assert.Equal(await DumpAsync(source, "/calico/ipam/"), await DumpAsync(target, "/calico/ipam/"));
        var sourceGuid = (await DatastoreLockInfoAsync(source)).ClusterGUID;
        Assert.Equal(sourceGuid, (await DatastoreLockInfoAsync(target)).ClusterGUID);
        Assert.True((await DatastoreLockInfoAsync(target)).DatastoreReady);
        // Derived objects exist in the target again.
        Assert.Contains("knp.default.k8s-deny", Ok(await target.RunAsync("get networkpolicy -n ns1")).Out, StringComparison.Ordinal);
        Assert.Contains("kns.ns1", Ok(await target.RunAsync("get profiles")).Out, StringComparison.Ordinal);
    }

    private static async Task<Calico.Api.ClusterInformationSpec> DatastoreLockInfoAsync(CtlRunner ctl)
    {
        await using var store = Open(ctl);
        var info = await new ResourceClient(store, TimeProvider.System).GetAsync(Calico.Api.ResourceKinds.ClusterInformation, null, "default", CancellationToken.None);
        return ((Calico.Api.ClusterInformation)info!).Spec;
    }
}

/// <summary>Real etcd: embedded → etcd → embedded, and an import cut short re-run.</summary>
[Trait("Tier", "Root")]
public sealed class EtcdDatastoreMigrateTests(EtcdFixture etcd) : DatastoreMigrateTests, IClassFixture<EtcdFixture>
{
    [Fact]
    public async Task RoundTrip_EmbeddedToEtcdToEmbedded_IpamBytesAndResourcesEqual()
    {
        var source = await PopulatedSourceAsync("src");
        Ok(await source.RunAsync("datastore migrate lock"));
        string file1 = await ExportAsync(source, "src");
        var middle = CtlBackends.EmptiedEtcd(etcd);

        Ok(await middle.RunAsync("datastore migrate import -f " + file1));
        string file2 = await ExportAsync(middle, "etcd");
        var back = EmbeddedAt("back", create: false);
        Ok(await back.RunAsync("datastore migrate import -f " + file2));
        string file3 = await ExportAsync(back, "back");

        var ipam = await DumpAsync(source, "/calico/ipam/");
        Assert.True(ipam.Count >= 6, "expected a block, its affinity, three handles and the config, got " + ipam.Count);
        Assert.Equal(ipam, await DumpAsync(middle, "/calico/ipam/"));
        Assert.Equal(ipam, await DumpAsync(back, "/calico/ipam/"));
        Assert.Equal(Sections(file1)[0], Sections(file2)[0]);
        Assert.Equal(Sections(file1)[0], Sections(file3)[0]);
        Assert.Equal(Sections(file1)[2], Sections(file3)[2]);
        Assert.Equal(await KeysAsync(source), await KeysAsync(back));
    }

    [Fact]
    public async Task Import_CutShortThenRerun_Resumes_NoFlagNeeded()
    {
        var source = await PopulatedSourceAsync("src");
        Ok(await source.RunAsync("datastore migrate lock"));
        string file = await ExportAsync(source, "src");
        var target = CtlBackends.EmptiedEtcd(etcd);
        Ok(await target.RunAsync("datastore migrate import -f " + file));
        // As if the import had been killed half-way: every other key it wrote is missing, the lock (ClusterInformation) is there.
        await using (var store = Open(target))
        {
            var all = await store.ListAsync("/calico/", CancellationToken.None);
            int i = 0;
            foreach (var kv in all.Items.Where(kv => !kv.Key.Contains("/clusterinformations/", StringComparison.Ordinal)))
            {
                if (i++ % 2 == 0)
                {
                    await store.DeleteAsync(kv.Key, 0, CancellationToken.None);
                }
            }
        }

        var rerun = Ok(await target.RunAsync("datastore migrate import -f " + file));

        Assert.Contains("Resuming an import of cluster", rerun.Out, StringComparison.Ordinal);
        Assert.Equal(await DumpAsync(source, "/calico/ipam/"), await DumpAsync(target, "/calico/ipam/"));
        Assert.Equal(await KeysAsync(source), await KeysAsync(target));
    }

    private static async Task<IReadOnlyList<string>> KeysAsync(CtlRunner ctl) =>
        [.. (await DumpAsync(ctl, "/calico/")).Select(kv => kv.Key)];
}
