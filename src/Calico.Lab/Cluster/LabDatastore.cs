using System.Net;
using Calico.Client;
using Calico.Datastore;

namespace Calico.Lab.Cluster;

/// <summary>The lab's datastore as calico-lab itself reaches it: the SQLite file, or etcd through <see cref="NetnsRelay"/>.</summary>
public sealed class LabDatastore : IAsyncDisposable
{
    public const int EtcdClientPort = 2379;

    private readonly IKeyValueStore _store;
    private readonly NetnsRelay? _relay;

    private LabDatastore(IKeyValueStore store, NetnsRelay? relay)
    {
        _store = store;
        _relay = relay;
        Client = new ResourceClient(store, TimeProvider.System);
    }

    public ResourceClient Client { get; }

    public IKeyValueStore Store => _store;

    public static LabDatastore Open(LabLayout layout, LabState state)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(state);
        if (state.DatastoreType == "etcdv3")
        {
            var relay = NetnsRelay.Start(LabLayout.NetnsPath(layout.FabricNetns), new IPEndPoint(IPAddress.Parse(LabLayout.FabricGateway), EtcdClientPort));
            try
            {
                var options = new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdRequestTimeout = TimeSpan.FromSeconds(10) };
                options.EtcdEndpoints.Add(relay.Endpoint);
                return new LabDatastore(DatastoreFactory.Open(options), relay);
            }
            catch
            {
                relay.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }

        return new LabDatastore(DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = state.DatastorePath ?? layout.EmbeddedDatastorePath }), null);
    }

    /// <summary>The environment a process on a host (calico-node) or calicoctl uses to reach the same datastore.</summary>
    public static Dictionary<string, string> ClientEnvironment(LabState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.DatastoreType == "etcdv3"
            ? new Dictionary<string, string>(StringComparer.Ordinal) { ["DATASTORE_TYPE"] = "etcdv3", ["ETCD_ENDPOINTS"] = state.EtcdEndpoints ?? "" }
            : new Dictionary<string, string>(StringComparer.Ordinal) { ["DATASTORE_TYPE"] = "embedded", ["CALICO_DATASTORE_PATH"] = state.DatastorePath ?? "" };
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync().ConfigureAwait(false);
        if (_relay is not null)
        {
            await _relay.DisposeAsync().ConfigureAwait(false);
        }
    }
}
