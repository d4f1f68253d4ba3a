namespace Calico.Datastore;

/// <summary>Which backend holds the data; names follow upstream's <c>DATASTORE_TYPE</c> values.</summary>
public enum DatastoreType
{
    /// <summary>An etcd v3 cluster (upstream <c>etcdv3</c>).</summary>
    Etcdv3,

    /// <summary>A single SQLite file on this host, no server (ours).</summary>
    Embedded,
}
