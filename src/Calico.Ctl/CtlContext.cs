using Calico.Client;
using Calico.Datastore;

namespace Calico.Ctl;

/// <summary>What a calicoctl run talks to: its streams, environment and clock, so tests run it in-process.</summary>
internal sealed class CtlContext(TextReader stdin, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, TimeProvider timeProvider) : IAsyncDisposable
{
    private IKeyValueStore? _store;

    public TextReader In { get; } = stdin;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    public Func<string, string?> Environment { get; } = environment;

    public TimeProvider Time { get; } = timeProvider;

    /// <summary>The datastore opened so far, for messages ("etcd at …"); null before one is opened.</summary>
    public string? DatastoreDescription => _store switch
    {
        Calico.Datastore.Etcd.EtcdKeyValueStore etcd => "etcd at " + etcd.Endpoints,
        null => null,
        _ => "the embedded datastore",
    };

    /// <summary>Opens the datastore named by the config file and environment; a bad config is a user-facing error.</summary>
    public ResourceClient OpenClient(string? configPath)
    {
        if (_store is null)
        {
            try
            {
                var options = CalicoApiConfig.Load(configPath, Environment);
                _store = DatastoreFactory.Open(options);
            }
            catch (Exception e) when (e is ClientConfigException or ArgumentException or DatastoreUnavailableException or DatastoreConfigurationException)
            {
                throw new CtlException("Failed to create Calico API client: " + e.Message);
            }
        }

        return new ResourceClient(_store, Time);
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }
    }
}
