using System.Net;
using Calico.Client;
using Calico.Datastore;

namespace Calico.Lab.Cluster;

/// <summary>The lab's datastore as calico-lab itself reaches it: the SQLite file, or etcd through <see cref="NetnsRelay"/>.</summary>
public sealed class LabDatastore : IAsyncDisposable
{
    public const int EtcdClientPort = 2379;

    private readonly IKeyValueStore _store;
    private readonly IReadOnlyList<NetnsRelay> _relays;

    private LabDatastore(IKeyValueStore store, IReadOnlyList<NetnsRelay> relays)
    {
        _store = store;
        _relays = relays;
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
            // One relay per member, so the lab's own client fails over between them as calico-node does.
            var relays = new List<NetnsRelay>();
            try
            {
                var options = new DatastoreOptions { Type = DatastoreType.Etcdv3, EtcdRequestTimeout = TimeSpan.FromSeconds(10) };
                foreach (var endpoint in (state.EtcdEndpoints ?? $"http://{LabLayout.FabricGateway}:{EtcdClientPort}").Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var uri = new Uri(endpoint);
                    var relay = NetnsRelay.Start(LabLayout.NetnsPath(layout.FabricNetns), new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port));
                    relays.Add(relay);
                    options.EtcdEndpoints.Add(relay.Endpoint);
                }

                return new LabDatastore(DatastoreFactory.Open(options), relays);
            }
            catch
            {
                foreach (var relay in relays)
                {
                    relay.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }

                throw;
            }
        }

        return new LabDatastore(DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = state.DatastorePath ?? layout.EmbeddedDatastorePath }), []);
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
        foreach (var relay in _relays)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }
    }
}
