using System.Text;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Datastore.Embedded;
using Calico.Ipam;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Cni.Tests;

/// <summary>
/// A CNI ADD whose datastore fails mid-way (a block write applied but its answer lost) gives back what it took: at
/// once when the datastore still answers, else at the DEL the runtime sends after a failed ADD.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class AddFailureReleaseTests : IAsyncLifetime
{
    private const string BlockPrefix = "/calico/ipam/v2/assignment/";
    private readonly TempDirectory _dir = new("cni-add-failure");
    private FaultyStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new FaultyStore(new EmbeddedKeyValueStore(_dir.File("calico.db")));
        var client = new ResourceClient(_store, TimeProvider.System);
        await client.EnsureInitializedAsync(CancellationToken.None);
        var created = await client.CreateAsync(
            ResourceCodec.Decode("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: main\nspec:\n  cidr: 10.66.0.0/24\n  blockSize: 26\n")[0],
            CancellationToken.None);
        Assert.True(created.Succeeded, created.Message);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Add_BlockWriteAnswerLost_FailsAndKeepsNothing()
    {
        _store.FailNextWriteUnder(BlockPrefix, HandleId("c1"), thenGoDown: false);

        await Assert.ThrowsAsync<DatastoreUnavailableException>(() => Assigner("c1").AssignAsync(CancellationToken.None));

        await AssertNothingAllocatedAsync();
    }

    [Fact]
    public async Task Add_ReadAheadThenBlockWriteAnswerLost_FailsAndKeepsNothing()
    {
        // A block already affine to the host, so the read-ahead caches it and the write goes out blind on its revision.
        var warm = Assigner("c0");
        await warm.AssignAsync(CancellationToken.None);
        await warm.ReleaseAsync(CancellationToken.None);
        var assigner = Assigner("c3");
        await assigner.StartReads(CancellationToken.None);
        _store.FailNextWriteUnder(BlockPrefix, HandleId("c3"), thenGoDown: false);

        await Assert.ThrowsAsync<DatastoreUnavailableException>(() => assigner.AssignAsync(CancellationToken.None));

        await AssertNothingAllocatedAsync();
    }

    [Fact]
    public async Task Add_DatastoreDiesAfterBlockWrite_HandleMarksAddressAndDelFreesIt()
    {
        _store.FailNextWriteUnder(BlockPrefix, HandleId("c2"), thenGoDown: true);

        await Assert.ThrowsAsync<DatastoreUnavailableException>(() => Assigner("c2").AssignAsync(CancellationToken.None));
        Assert.True(_store.Down);
        _store.Recover();
        var ipam = new IpamClient(_store, TimeProvider.System);
        Assert.Single(await ipam.IpsByHandleAsync(HandleId("c2"), CancellationToken.None));

        await Assigner("c2").ReleaseAsync(CancellationToken.None);

        await AssertNothingAllocatedAsync();
    }

    private async Task AssertNothingAllocatedAsync()
    {
        var ipam = new IpamClient(_store, TimeProvider.System);
        Assert.All(await ipam.ListBlockInfosAsync(CancellationToken.None), b => Assert.Empty(b.Allocations));
        Assert.Empty(await ipam.ListHandlesAsync(CancellationToken.None));
    }

    private static string HandleId(string containerId) => "net1." + containerId;

    private AddressAssigner Assigner(string containerId)
    {
        string conf = $$$"""{"cniVersion":"1.0.0","name":"net1","type":"calico","datastore_type":"embedded","datastore_path":"{{{_dir.File("calico.db")}}}","ipam_lock_file":"{{{_dir.File("ipam.lock")}}}","nodename":"node1","ipam":{"type":"calico-ipam"}}""";
        var netConf = NetConfParser.Parse(Encoding.UTF8.GetBytes(conf));
        var env = CniEnvironment.Parse(InProcessPlugin.Env("ADD", containerId: containerId));
        var identity = WorkloadIdentity.From(netConf, env, "node1");
        Assert.Equal(HandleId(containerId), identity.HandleId);
        return new AddressAssigner(netConf, env, identity, new IpamClient(_store, TimeProvider.System), TimeProvider.System, NullLogger.Instance);
    }
}
