using Calico.Datastore.Etcd;
using Calico.TestKit;
using static Calico.Datastore.Tests.StoreTestHelpers;

namespace Calico.Datastore.Tests.Etcd;

[Trait("Tier", "Root")]
public sealed class EtcdKeyValueStoreTests(EtcdFixture etcd) : KeyValueStoreContractTests, IClassFixture<EtcdFixture>
{
    protected override Task<IKeyValueStore> OpenStoreAsync() =>
        Task.FromResult(DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdEndpoints = [etcd.Server.ClientUrl] }));

    protected override Task CompactAsync(long revision) => ((EtcdKeyValueStore)Store).CompactAsync(revision, Timeout());

    [Fact]
    public async Task Open_SeveralEndpointsOneDead_StillServes()
    {
        var options = new DatastoreOptions { EtcdEndpoints = ["http://127.0.0.1:1", etcd.Server.ClientUrl] };
        await using IKeyValueStore store = DatastoreFactory.Open(options);

        WriteResult result = await store.CreateAsync(Root + "multi", Bytes("x"), Timeout());

        Assert.Equal(WriteStatus.Ok, result.Status);
        Assert.Equal("x", Text((await store.GetAsync(Root + "multi", Timeout()))!.Value));
    }

    [Fact]
    public async Task Get_NoServerListening_ThrowsUnavailableNamingEndpoint()
    {
        await using IKeyValueStore store = DatastoreFactory.Open(new DatastoreOptions { EtcdEndpoints = ["http://127.0.0.1:1"], EtcdRequestTimeout = TimeSpan.FromSeconds(1) });

        var error = await Assert.ThrowsAsync<DatastoreUnavailableException>(() => store.GetAsync("/k", Timeout()));

        Assert.Contains("http://127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}
