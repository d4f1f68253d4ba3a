using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Calico.Client;
using Calico.Datastore;
using Calico.Ipam;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary>
/// Day-2 calicoctl over the embedded store, the real CLI in-process: <c>ipam split</c>, <c>ipam release --from-report</c>,
/// <c>ipam show --show-borrowed</c> and the <c>ipam check -o</c> report they share. Bad input answers exit 1 naming the
/// flag and leaves every key at its revision.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class IpamDay2Tests : IDisposable
{
    private const string Pool = """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: pool1
          labels: {zone: a}
        spec:
          cidr: 10.50.0.0/24
          blockSize: 26
          vxlanMode: Always
          natOutgoing: true
        """;

    private readonly TempDirectory _dir = new("calicoctl-day2-");
    private readonly CtlRunner _ctl;

    public IpamDay2Tests()
    {
        _ctl = CtlBackends.Embedded(_dir.Path);
    }

    public void Dispose() => _dir.Dispose();

    private IKeyValueStore OpenStore() =>
        DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedPath = _dir.File("calico.db") });

    private async Task<CtlResult> Ok(string commandLine, string? stdin = null)
    {
        var result = await _ctl.RunAsync(commandLine, stdin);
        Assert.True(result.ExitCode == 0, commandLine + "\n" + result);
        return result;
    }

    private async Task AssignAsync(string address, string handle, string host, Dictionary<string, string>? attrs = null)
    {
        await using var store = OpenStore();
        var ipam = new IpamClient(store, TimeProvider.System);
        await ipam.AssignIpAsync(new AssignIpArgs
        {
            Address = IPAddress.Parse(address),
            HandleId = handle,
            Hostname = host,
            Attributes = attrs ?? new Dictionary<string, string> { ["node"] = host },
        }, CancellationToken.None);
    }

    private async Task<IReadOnlyList<IPAddress>> ReleaseAsync(string address)
    {
        await using var store = OpenStore();
        return await new IpamClient(store, TimeProvider.System).ReleaseIpsAsync([IPAddress.Parse(address)], CancellationToken.None);
    }

    private async Task SetLockedAsync(bool locked)
    {
        await using var store = OpenStore();
        await DatastoreLock.SetLockedAsync(new ResourceClient(store, TimeProvider.System), locked, CancellationToken.None);
    }

    /// <summary>Every key under /calico/ with its revision: equal snapshots mean nothing was written.</summary>
    private async Task<string> SnapshotAsync()
    {
        await using var store = OpenStore();
        var list = await store.ListAsync("/calico/", CancellationToken.None);
        var sb = new StringBuilder();
        foreach (var kv in list.Items)
        {
            sb.Append(kv.Key).Append(' ').Append(kv.Revision).Append('\n');
        }

        return sb.ToString();
    }

    private async Task<List<string>> KeysAsync(string prefix)
    {
        await using var store = OpenStore();
        var list = await store.ListAsync(prefix, CancellationToken.None);
        return [.. list.Items.Select(kv => kv.Key)];
    }

    private async Task<bool> AllocatedAsync(string address)
    {
        await using var store = OpenStore();
        var a = await new IpamClient(store, TimeProvider.System).GetAllocationAsync(IPAddress.Parse(address), CancellationToken.None);
        return a is { InCooldown: false };
    }

    private static string Wep(string name, string ip) => $"""
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: node1-k8s-{name}-eth0
          namespace: prod
        spec:
          orchestrator: k8s
          node: node1
          pod: {name}
          endpoint: eth0
          interfaceName: cali{name}0000
          ipNetworks: [{ip}/32]
        """;

    [Fact]
    public async Task Split_LockedPoolWithBlocks_ReplacesPoolKeepingBlocksAndAllocations()
    {
        await Ok("create -f -", Pool);
        await AssignAsync("10.50.0.10", "h-a", "node1");
        await AssignAsync("10.50.0.200", "h-b", "node2");
        var blocksBefore = await KeysAsync("/calico/ipam/v2/assignment/");
        var affinitiesBefore = await KeysAsync("/calico/ipam/v2/host/");
        await SetLockedAsync(true);

        var split = await Ok("ipam split --cidr=10.50.0.0/24 2");

        Assert.Equal(
            "IP Pool pool1 was successfully split into 2 smaller pools.\n" +
            "Created split-pool1-0 with CIDR 10.50.0.0/25.\n" +
            "Created split-pool1-1 with CIDR 10.50.0.128/25.\n" +
            "Please refer to the documentation for final steps.\n", split.Out);
        var pools = (await Ok("get ippools -o json")).Out;
        var items = JsonNode.Parse(pools)!["items"]!.AsArray();
        Assert.Equal(["split-pool1-0", "split-pool1-1"], items.Select(i => (string)i!["metadata"]!["name"]!).Order(StringComparer.Ordinal));
        foreach (var item in items)
        {
            Assert.Equal("a", (string)item!["metadata"]!["labels"]!["zone"]!);
            Assert.Equal(26, (int)item["spec"]!["blockSize"]!);
            Assert.Equal("Always", (string)item["spec"]!["vxlanMode"]!);
            Assert.True((bool)item["spec"]!["natOutgoing"]!);
            Assert.Null(item["spec"]!["disabled"]);
        }

        Assert.Equal(blocksBefore, await KeysAsync("/calico/ipam/v2/assignment/"));
        Assert.Equal(affinitiesBefore, await KeysAsync("/calico/ipam/v2/host/"));
        Assert.True(await AllocatedAsync("10.50.0.10"));
        Assert.True(await AllocatedAsync("10.50.0.200"));

        // Once unlocked the children allocate as the pool did, from the same blocks.
        await SetLockedAsync(false);
        await AssignAsync("10.50.0.11", "h-c", "node1");
        Assert.StartsWith("IP 10.50.0.11 is in use\n", (await Ok("ipam show --ip=10.50.0.11")).Out, StringComparison.Ordinal);
        Assert.Equal(blocksBefore, await KeysAsync("/calico/ipam/v2/assignment/"));
    }

    [Fact]
    public async Task Split_ByName_FourWays()
    {
        await Ok("create -f -", Pool);
        await SetLockedAsync(true);

        var split = await Ok("ipam split --name=pool1 4");

        Assert.Contains("Created split-pool1-3 with CIDR 10.50.0.192/26.\n", split.Out, StringComparison.Ordinal);
        Assert.Equal(4, JsonNode.Parse((await Ok("get ippools -o json")).Out)!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Split_Unlocked_RefusesWithUpstreamMessageAndChangesNothing()
    {
        await Ok("create -f -", Pool);
        var before = await SnapshotAsync();

        var result = await _ctl.RunAsync("ipam split --cidr=10.50.0.0/24 2");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(DatastoreLock.NotLockedMessage + "\n", result.Err);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Theory]
    [InlineData("ipam split --cidr=10.50.0.0/24 3", "not a valid power of 2: 3")]
    [InlineData("ipam split --cidr=10.50.0.0/24 1", "not a valid power of 2: 1")]
    [InlineData("ipam split --cidr=10.50.0.0/24 0", "not a valid power of 2: 0")]
    [InlineData("ipam split --cidr=10.50.0.0/24 -2", "not a valid power of 2: -2")]
    [InlineData("ipam split --cidr=10.50.0.0/24 two", "two is not a valid number")]
    [InlineData("ipam split 2", "no name or CIDR provided")]
    [InlineData("ipam split --cidr=10.50.0.0/33 2", "Invalid value for --cidr: \"10.50.0.0/33\"")]
    [InlineData("ipam split --cidr=10.60.0.0/24 2", "unable to find IP pool covering the specified CIDR 10.60.0.0/24")]
    [InlineData("ipam split --name=nope 2", "unable to find IP pool with name nope")]
    [InlineData("ipam split --name=pool1 --cidr=10.60.0.0/24 2", "Invalid value for --cidr: \"10.60.0.0/24\" is not the CIDR of IP pool pool1")]
    [InlineData("ipam split --cidr=10.50.0.0/24 8", "each part would be a /27, smaller than the pool's blockSize 26")]
    [InlineData("ipam split --cidr=10.50.0.0/24 512", "the CIDR 10.50.0.0/24 is not large enough to be split into 512 parts")]
    public async Task Split_BadInput_NamesItAndChangesNothing(string commandLine, string expected)
    {
        await Ok("create -f -", Pool);
        await SetLockedAsync(true);
        var before = await SnapshotAsync();

        var result = await _ctl.RunAsync(commandLine);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
    }

    /// <summary>A split killed after the parent is disabled and one child is written: the same command completes it.</summary>
    [Fact]
    public async Task Split_KilledHalfWay_SameCommandCompletesIt()
    {
        await Ok("create -f -", Pool);
        await AssignAsync("10.50.0.10", "h-a", "node1");
        await SetLockedAsync(true);
        await using (var store = OpenStore())
        {
            var dying = new DyingStore(store, writesBeforeDeath: 2);
            await Assert.ThrowsAsync<DatastoreUnavailableException>(() => new IpamClient(dying, TimeProvider.System).SplitPoolAsync("pool1", 4, CancellationToken.None));
        }

        var half = JsonNode.Parse((await Ok("get ippools -o json")).Out)!["items"]!.AsArray();
        Assert.Equal(["pool1", "split-pool1-0"], half.Select(i => (string)i!["metadata"]!["name"]!).Order(StringComparer.Ordinal));
        Assert.True((bool)half.First(i => (string)i!["metadata"]!["name"]! == "pool1")!["spec"]!["disabled"]!);

        var again = await Ok("ipam split --cidr=10.50.0.0/24 4");

        Assert.Contains("Created split-pool1-3 with CIDR 10.50.0.192/26.\n", again.Out, StringComparison.Ordinal);
        var pools = JsonNode.Parse((await Ok("get ippools -o json")).Out)!["items"]!.AsArray();
        Assert.Equal(["split-pool1-0", "split-pool1-1", "split-pool1-2", "split-pool1-3"], pools.Select(i => (string)i!["metadata"]!["name"]!).Order(StringComparer.Ordinal));
        Assert.True(await AllocatedAsync("10.50.0.10"));
    }

    /// <summary>A store that stops answering after a number of writes, as if calicoctl were killed there.</summary>
    private sealed class DyingStore(IKeyValueStore inner, int writesBeforeDeath) : IKeyValueStore
    {
        private int _writes;

        private void Write()
        {
            if (Interlocked.Increment(ref _writes) > writesBeforeDeath)
            {
                throw new DatastoreUnavailableException("killed");
            }
        }

        public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
        {
            Write();
            return inner.CreateAsync(key, value, cancellationToken);
        }

        public Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken)
        {
            Write();
            return inner.UpdateAsync(key, value, expectedRevision, cancellationToken);
        }

        public Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken)
        {
            Write();
            return inner.DeleteAsync(key, expectedRevision, cancellationToken);
        }

        public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken) => inner.WatchAsync(prefix, afterRevision, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Split_ChildNameTakenByAnotherPool_RefusesBeforeAnyWrite()
    {
        await Ok("create -f -", Pool);
        await Ok("create -f -", Pool.Replace("name: pool1", "name: split-pool1-1", StringComparison.Ordinal).Replace("10.50.0.0/24", "10.70.0.0/24", StringComparison.Ordinal));
        await SetLockedAsync(true);
        var before = await SnapshotAsync();

        var result = await _ctl.RunAsync("ipam split --cidr=10.50.0.0/24 2");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("IP pool split-pool1-1 already exists with CIDR 10.70.0.0/24", result.Err, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
    }

    /// <summary>
    /// Four leaks in the report: A stays leaked (released), B is re-allocated after the report (new sequence number:
    /// left alone), C gets a workload after the report (in use now: left alone), D was released meanwhile (already clean).
    /// An orphan handle is deleted; a live workload's address was never in the list.
    /// </summary>
    [Fact]
    public async Task ReleaseFromReport_Locked_ReleasesOnlyWhatIsStillLeaked()
    {
        await Ok("create -f -", Pool);
        await AssignAsync("10.50.0.1", "h-a", "node1");
        await AssignAsync("10.50.0.2", "h-b", "node1");
        await AssignAsync("10.50.0.3", "h-c", "node1");
        await AssignAsync("10.50.0.4", "h-d", "node1");
        await AssignAsync("10.50.0.5", "h-live", "node1");
        await Ok("create -f -", Wep("live", "10.50.0.5"));
        await using (var store = OpenStore())
        {
            await store.CreateAsync("/calico/ipam/v2/handle/orphan", Encoding.UTF8.GetBytes("""{"block":{},"deleted":false}"""), CancellationToken.None);
        }

        await SetLockedAsync(true);
        string report = _dir.File("report.json");
        var check = await Ok($"ipam check -o {report}");
        Assert.Contains("Found 4 IPs that are allocated in IPAM but not actually in use.", check.Out, StringComparison.Ordinal);

        Assert.Empty(await ReleaseAsync("10.50.0.2"));
        await AssignAsync("10.50.0.2", "h-b", "node1");
        await Ok("create -f -", Wep("late", "10.50.0.3"));
        Assert.Empty(await ReleaseAsync("10.50.0.4"));

        var release = await Ok($"ipam release --from-report={report}");

        Assert.Equal(
            "Releasing 3 old IPs...\n" +
            "Released 1 IPs successfully\n" +
            "1 addresses marked as leaked in the report had already been cleaned up.\n" +
            "1 addresses marked as leaked in the report were allocated again since (sequence number or handle changed) and were left alone: 10.50.0.2\n" +
            "1 addresses marked as leaked in the report are now used by a workload or node and were left alone.\n" +
            "Deleting 1 handles...\n" +
            "Key: '.' = Deleted OK; 'x' = skip, handle missing/changed.\n" +
            ".\n" +
            "Released 1 handles; 0 skipped; 0 errors.\n" +
            "You may now unlock the data store.\n", release.Out);
        Assert.False(await AllocatedAsync("10.50.0.1"));
        Assert.True(await AllocatedAsync("10.50.0.2"));
        Assert.True(await AllocatedAsync("10.50.0.3"));
        Assert.True(await AllocatedAsync("10.50.0.5"));
        Assert.DoesNotContain("/calico/ipam/v2/handle/orphan", await KeysAsync("/calico/ipam/v2/handle/"));

        // Run again: nothing left to release, nothing in use touched.
        var again = await Ok($"ipam release --from-report={report}");
        Assert.Contains("Released 0 IPs successfully", again.Out, StringComparison.Ordinal);
        Assert.Contains("Released 0 handles; 1 skipped; 0 errors.", again.Out, StringComparison.Ordinal);
        Assert.True(await AllocatedAsync("10.50.0.2"));
    }

    [Fact]
    public async Task ReleaseFromReport_Unlocked_RefusesUnlessForced()
    {
        await Ok("create -f -", Pool);
        await AssignAsync("10.50.0.1", "h-a", "node1");
        await SetLockedAsync(false); // initialises ClusterInformation, unlocked
        string report = _dir.File("report.json");
        await Ok($"ipam check -o {report}");
        var before = await SnapshotAsync();

        var refused = await _ctl.RunAsync($"ipam release --from-report={report}");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("data store is not locked. Either lock the data store, or re-run with --force\n", refused.Err);
        Assert.Equal(before, await SnapshotAsync());

        var forced = await Ok($"ipam release --from-report={report} --force");
        Assert.StartsWith("WARNING: Data store is not locked. Ignoring due to --force option\nReleasing 1 old IPs...\nReleased 1 IPs successfully\n", forced.Out, StringComparison.Ordinal);
        Assert.False(await AllocatedAsync("10.50.0.1"));
    }

    [Fact]
    public async Task ReleaseFromReport_BadReportsAndFlags_NameTheProblemAndChangeNothing()
    {
        await Ok("create -f -", Pool);
        await AssignAsync("10.50.0.1", "h-a", "node1");
        await SetLockedAsync(true);
        string report = _dir.File("report.json");
        await Ok($"ipam check -o {report}");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(report))!;

        string Variant(string name, Action<JsonNode> change)
        {
            var copy = JsonNode.Parse(json.ToJsonString())!;
            change(copy);
            string path = _dir.File(name);
            File.WriteAllText(path, copy.ToJsonString());
            return path;
        }

        string otherCluster = Variant("guid.json", n => n["clusterGUID"] = "0123");
        string otherVersion = Variant("version.json", n => n["version"] = "v3.31.0");
        string stale = Variant("stale.json", n => n["clusterInformationRevision"] = "1");
        string badSeq = Variant("seq.json", n => n["allocations"]!["10.50.0.1"]![0]!["sequenceNumber"] = "x");
        string notJson = _dir.File("garbage.json");
        await File.WriteAllTextAsync(notJson, "not json");
        var before = await SnapshotAsync();

        (string Command, string Error)[] cases =
        [
            ($"ipam release --from-report={_dir.File("missing.json")}", "Invalid value for --from-report: cannot read " + _dir.File("missing.json")),
            ($"ipam release --from-report={notJson}", $"Invalid value for --from-report: {notJson} is not an ipam check report"),
            ($"ipam release --from-report={badSeq}", "field 'allocations.10.50.0.1[].sequenceNumber' must be an unsigned number"),
            ($"ipam release --from-report={otherCluster}", "mismatched cluster GUID. Refusing to release"),
            ($"ipam release --from-report={otherCluster} --force", "mismatched cluster GUID. Refusing to release"),
            ($"ipam release --from-report={otherVersion}", "was produced using a different version (v3.31.0) of calicoctl. Refusing to release"),
            ($"ipam release --from-report={stale}", "the provided reports are all stale"),
            ($"ipam release --from-report={report} --ip=10.50.0.1", "--ip and --from-report cannot be used together"),
            ("ipam release --force --ip=10.50.0.1", "--force applies only to --from-report"),
            ("ipam release", "one of --ip or --from-report is required"),
        ];
        foreach (var (command, error) in cases)
        {
            var result = await _ctl.RunAsync(command);
            Assert.True(result.ExitCode == 1, command + "\n" + result);
            Assert.Contains(error, result.Err, StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotAsync());
        Assert.True(await AllocatedAsync("10.50.0.1"));
    }

    [Fact]
    public async Task ReleaseFromReport_TwoReports_ReleasesOnlyWhatBothList()
    {
        await Ok("create -f -", Pool);
        await AssignAsync("10.50.0.1", "h-a", "node1");
        await SetLockedAsync(true);
        string first = _dir.File("first.json");
        await Ok($"ipam check -o {first}");
        await AssignAsync("10.50.0.2", "h-b", "node1");
        string second = _dir.File("second.json");
        await Ok($"ipam check -o {second}");

        var release = await Ok($"ipam release --from-report={first} --from-report={second}");

        Assert.Contains("Releasing 1 old IPs...\nReleased 1 IPs successfully\n", release.Out, StringComparison.Ordinal);
        Assert.False(await AllocatedAsync("10.50.0.1"));
        Assert.True(await AllocatedAsync("10.50.0.2"));
    }

    [Fact]
    public async Task CheckReport_HasUpstreamsFields()
    {
        await Ok("create -f -", Pool);
        await AssignAsync("10.50.0.1", "h-a", "node1", new Dictionary<string, string> { ["node"] = "node2", ["pod"] = "web", ["namespace"] = "prod" });
        await SetLockedAsync(true);
        string report = _dir.File("report.json");

        await Ok($"ipam check -o {report}");

        var json = JsonNode.Parse(await File.ReadAllTextAsync(report))!;
        Assert.Equal("v3.33.0-csharp", (string)json["version"]!);
        Assert.Equal(32, ((string)json["clusterGUID"]!).Length);
        Assert.True((bool)json["datastoreLocked"]!);
        Assert.False(string.IsNullOrEmpty((string)json["clusterInformationRevision"]!));
        var a = json["allocations"]!["10.50.0.1"]![0]!;
        Assert.Equal("h-a", (string)a["handle"]!);
        Assert.Equal("node2", (string)a["node"]!);
        Assert.Equal("web", (string)a["pod"]!);
        Assert.True((bool)a["borrowed"]!);
        Assert.False((bool)a["inUse"]!);
        Assert.Null(a["owners"]);
        Assert.NotNull(a["sequenceNumber"]);
    }

    [Fact]
    public async Task ShowBorrowed_PrintsUpstreamsTableAndUnclassifiedNote()
    {
        await Ok("create -f -", Pool);
        await AssignAsync("10.50.0.1", "h-a", "node1");
        await AssignAsync("10.50.0.2", "h-b", "node1", new Dictionary<string, string> { ["node"] = "node2", ["pod"] = "web-0", ["namespace"] = "prod" });
        await AssignAsync("10.50.0.3", "h-c", "node1", new Dictionary<string, string> { ["node"] = "node3", ["type"] = "vxlanTunnelAddress" });
        await AssignAsync("10.50.0.4", "h-d", "node1", new Dictionary<string, string>());

        var result = await Ok("ipam show --show-borrowed");

        Assert.Equal(
            """
            +-----------+----------------+--------------+-------------+--------------------+--------------+
            | IP        | BORROWING-NODE | BLOCK        | BLOCK OWNER | TYPE               | ALLOCATED-TO |
            +-----------+----------------+--------------+-------------+--------------------+--------------+
            | 10.50.0.2 | node2          | 10.50.0.0/26 | node1       | pod                | prod/web-0   |
            | 10.50.0.3 | node3          | 10.50.0.0/26 | node1       | vxlanTunnelAddress |              |
            +-----------+----------------+--------------+-------------+--------------------+--------------+

            Note: found 1 IP allocations without an explicit node association. Unable to determine if they are borrowed.

            """.ReplaceLineEndings("\n"), result.Out);
    }

    [Fact]
    public void PoolSplitPlan_Ipv6AndLongNames_AsUpstream()
    {
        var parts = PoolSplit.Plan(IPNetwork.Parse("fd00:1::/48"), 122, 4);

        Assert.Equal(["fd00:1::/50", "fd00:1:0:4000::/50", "fd00:1:0:8000::/50", "fd00:1:0:c000::/50"], parts.Select(p => Calico.Api.Cidr.Format(p)));
        Assert.Equal("split-p-3", PoolSplit.ChildName("p", 3));
        Assert.Equal("split-" + new string('x', 245) + "-1", PoolSplit.ChildName(new string('x', 250), 1));
    }
}
