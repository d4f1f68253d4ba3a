using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.Ipam;
using Microsoft.Extensions.Logging;

namespace Calico.Cni;

/// <summary>One invocation's parsed input and its datastore clients.</summary>
internal sealed class CniSession : IAsyncDisposable
{
    private CniSession(NetConf conf, CniEnvironment env, string node, IKeyValueStore store, TimeProvider time, ILogger logger, CniPhases? phases)
    {
        Phases = phases;
        Conf = conf;
        Env = env;
        Node = node;
        Store = store;
        Time = time;
        Logger = logger;
        Resources = new ResourceClient(store, time);
        Ipam = new IpamClient(store, time);
    }

    public NetConf Conf { get; }

    /// <summary>The step timer when <c>CALICO_CNI_PHASES</c> asks for one, else null.</summary>
    public CniPhases? Phases { get; }

    public CniEnvironment Env { get; }

    public string Node { get; }

    public IKeyValueStore Store { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public ResourceClient Resources { get; }

    public IpamClient Ipam { get; }

    public static CniSession Open(NetConf conf, CniEnvironment env, TimeProvider time, ILoggerFactory loggerFactory, CniPhases? phases = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["datastoreType"] = conf.DatastoreType,
            ["etcdEndpoints"] = conf.EtcdEndpoints,
        };
        AddIf(values, "etcdKeyFile", conf.EtcdKeyFile);
        AddIf(values, "etcdCertFile", conf.EtcdCertFile);
        AddIf(values, "etcdCACertFile", conf.EtcdCaCertFile);
        AddIf(values, "datastorePath", conf.DatastorePath);
        DatastoreOptions options;
        IKeyValueStore store;
        try
        {
            options = CalicoApiConfig.ToOptions(values, "datastore_path");

            // A plugin call is on the workload's start path: fail fast (code 11) rather than wait out etcd.
            options.EtcdRequestTimeout = env.Command == CniCommand.Status ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(10);
            ThrowIfEmbeddedStoreMissing(options, env);
            store = DatastoreFactory.Open(options, loggerFactory);
            if (phases is not null)
            {
                store = new CountingKeyValueStore(store, phases.Datastore);
            }
        }
        catch (ClientConfigException e)
        {
            throw new CniException(CniErrorCodes.InvalidConfig, "datastore configuration: " + e.Message, inner: e);
        }
        catch (DatastoreConfigurationException e)
        {
            throw new CniException(CniErrorCodes.InvalidConfig, "datastore configuration: " + e.Message, inner: e);
        }

        return new CniSession(conf, env, NodeSettings.Nodename(conf), store, time, loggerFactory.CreateLogger("Calico.Cni"), phases);
    }

    /// <summary>
    /// The plugin never creates the embedded store (a mistyped <c>datastore_path</c> would otherwise be a new empty
    /// store). A missing file in an existing directory is "not ready" (calico-node may not have created it yet): the
    /// runtime retries (11, or 50 for STATUS). A missing directory stays a configuration error (the factory's).
    /// </summary>
    private static void ThrowIfEmbeddedStoreMissing(DatastoreOptions options, CniEnvironment env)
    {
        if (options.Type != DatastoreType.Embedded || !Path.IsPathFullyQualified(options.EmbeddedPath) || File.Exists(options.EmbeddedPath))
        {
            return;
        }

        var directory = Path.GetDirectoryName(options.EmbeddedPath);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            return;
        }

        var message = $"embedded datastore datastore_path=\"{options.EmbeddedPath}\" does not exist: the datastore is not initialised (calico-node creates it) or the path is wrong";
        throw env.Command == CniCommand.Status
            ? new CniException(CniErrorCodes.PluginNotAvailable, "plugin not available: " + message)
            : new CniException(CniErrorCodes.TryAgainLater, message);
    }

    /// <summary>ClusterInformation <c>default</c> with <c>datastoreReady: true</c>, as upstream requires before ADD.</summary>
    public async Task<string?> NotReadyReasonAsync(CancellationToken cancellationToken)
    {
        var info = await Resources.GetAsync(ResourceKinds.ClusterInformation, null, "default", cancellationToken).ConfigureAwait(false);
        return info switch
        {
            null => "ClusterInformation \"default\" does not exist (the datastore is not initialised: start calico-node or run calicoctl)",
            ClusterInformation ci when ci.Spec.DatastoreReady != true => "ClusterInformation \"default\" has datastoreReady not true: Calico is currently not ready to process requests",
            _ => null,
        };
    }

    public ValueTask DisposeAsync() => Store.DisposeAsync();

    private static void AddIf(Dictionary<string, string> values, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            values[key] = value;
        }
    }
}
