using Calico.Datastore.Embedded;

namespace Calico.Datastore;

/// <summary>
/// Where the data lives. Field names map to upstream's environment variables
/// (<c>DATASTORE_TYPE</c>, <c>ETCD_ENDPOINTS</c>, <c>ETCD_CA_CERT_FILE</c>, <c>ETCD_CERT_FILE</c>, <c>ETCD_KEY_FILE</c>).
/// </summary>
public sealed class DatastoreOptions
{
    public const string DefaultEmbeddedPath = "/var/lib/calico/calico.db";

    public DatastoreType Type { get; set; } = DatastoreType.Etcdv3;

    /// <summary>Client URLs such as <c>https://10.0.0.1:2379</c>; all must share one scheme.</summary>
    public IList<string> EtcdEndpoints { get; set; } = new List<string>();

    public string? EtcdCaCertFile { get; set; }

    public string? EtcdCertFile { get; set; }

    public string? EtcdKeyFile { get; set; }

    public string EmbeddedPath { get; set; } = DefaultEmbeddedPath;

    /// <summary>Per-request timeout for etcd calls (upstream's dial timeout is 10 s).</summary>
    public TimeSpan EtcdRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many revisions of change history the embedded store keeps for watchers.</summary>
    public int EmbeddedHistoryRevisions { get; set; } = EmbeddedKeyValueStore.DefaultHistoryRevisions;

    /// <summary>
    /// Reads upstream's environment variables; unset ones keep their defaults.
    /// <c>ETCD_ENDPOINTS</c> is comma-separated; <c>DATASTORE_TYPE</c> is <c>etcdv3</c> or <c>embedded</c>.
    /// </summary>
    public static DatastoreOptions FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        var options = new DatastoreOptions();
        string? type = getVariable("DATASTORE_TYPE");
        if (!string.IsNullOrEmpty(type))
        {
            options.Type = type.ToUpperInvariant() switch
            {
                "ETCDV3" => DatastoreType.Etcdv3,
                "EMBEDDED" => DatastoreType.Embedded,
                _ => throw new DatastoreConfigurationException("DATASTORE_TYPE", type, "expected etcdv3 or embedded"),
            };
        }

        string? endpoints = getVariable("ETCD_ENDPOINTS");
        if (!string.IsNullOrEmpty(endpoints))
        {
            options.EtcdEndpoints = endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }

        options.EtcdCaCertFile = NullIfEmpty(getVariable("ETCD_CA_CERT_FILE"));
        options.EtcdCertFile = NullIfEmpty(getVariable("ETCD_CERT_FILE"));
        options.EtcdKeyFile = NullIfEmpty(getVariable("ETCD_KEY_FILE"));
        string? path = NullIfEmpty(getVariable("CALICO_EMBEDDED_DB"));
        if (path is not null)
        {
            options.EmbeddedPath = path;
        }

        return options;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
