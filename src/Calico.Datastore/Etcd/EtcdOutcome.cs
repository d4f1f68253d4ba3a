namespace Calico.Datastore.Etcd;

/// <summary>What a failed attempt tells about the request: whether repeating it could apply it twice.</summary>
internal enum EtcdOutcome
{
    /// <summary>The request certainly did not take effect (never sent, or refused before raft): any retry is safe.</summary>
    NotApplied,

    /// <summary>The request may or may not have been applied (sent, then no answer): only idempotent calls retry blindly.</summary>
    Unknown,

    /// <summary>A definite error that another attempt would repeat (bad request, compacted, permission): no retry.</summary>
    Fatal,
}
