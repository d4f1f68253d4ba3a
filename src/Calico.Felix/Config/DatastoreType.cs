namespace Calico.Felix.Config;

/// <summary>Upstream <c>DatastoreType</c> (felix's code default is etcdv3).</summary>
public enum DatastoreType { Kubernetes, Etcdv3 }
