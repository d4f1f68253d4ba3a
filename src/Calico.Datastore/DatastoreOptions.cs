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

    /// <summary>
    /// Whether opening may create the embedded store's file when it does not exist. Off by default: a mistyped
    /// <c>datastorePath</c> must be an error, never a new empty store. Only the processes that own a store's life
    /// (calico-node, calico-lab, throw-away copies) set it; the directory must exist either way.
    /// </summary>
    public bool EmbeddedCreate { get; set; }

    /// <summary>
    /// Total budget of one etcd operation, every retry and failover included (upstream's dial timeout is 10 s). When it
    /// runs out the error names etcd, the endpoints, the operation and this budget.
    /// </summary>
    public TimeSpan EtcdRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Deadline of one attempt of a read on one endpoint; a member that does not answer within it is skipped for a while
    /// and the read goes to the next. Writes get at least <see cref="Etcd.EtcdSettings.MinWriteAttemptTimeout"/>.
    /// </summary>
    public TimeSpan EtcdAttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How many revisions of change history the embedded store keeps for watchers.</summary>
    public int EmbeddedHistoryRevisions { get; set; } = EmbeddedKeyValueStore.DefaultHistoryRevisions;
}
