using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;

namespace Calico.Datastore.Etcd;

/// <summary>
/// One failed attempt, classified the way upstream's clientv3 retry interceptor does (<c>client/v3/retry.go</c>): etcd's
/// transient server errors and transport failures are retried; whether a write may be repeated depends on whether it can
/// have been applied. <see cref="Eject"/> says the member itself misbehaved (timed out, refused, dropped the connection);
/// cluster-wide conditions (leader election, raft timeouts) are not the member's fault and only back off.
/// </summary>
internal readonly record struct EtcdFailure(EtcdOutcome Outcome, bool Eject, bool ClusterWide, string Description)
{
    // etcd's transient server errors (api/v3rpc/rpctypes): refused before raft applied anything.
    private static readonly string[] s_notApplied =
    [
        "etcdserver: no leader",
        "etcdserver: leader changed",
        "etcdserver: not capable",
        "etcdserver: too many requests",
        "raft proposal dropped",
    ];

    public bool Retryable => Outcome != EtcdOutcome.Fatal;

    /// <summary>
    /// The member cannot serve anything: it refused the connection, or it answered that it has no leader. When every
    /// member says so the cluster has no quorum (see EtcdKeyValueStore.Quorum.cs); a member that never answers is not
    /// counted (it may only be slow).
    /// </summary>
    public bool Unserved { get; init; }

    public static EtcdFailure AttemptTimedOut(TimeSpan deadline) =>
        new(EtcdOutcome.Unknown, Eject: true, ClusterWide: false, $"no answer within {Seconds(deadline)}");

    public static EtcdFailure FromRpc(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string detail = exception.Status.Detail ?? string.Empty;
        string description = $"{exception.StatusCode} {detail}".TrimEnd();
        foreach (string transient in s_notApplied)
        {
            if (detail.Contains(transient, StringComparison.Ordinal))
            {
                return new EtcdFailure(EtcdOutcome.NotApplied, Eject: false, ClusterWide: true, description)
                {
                    Unserved = transient == "etcdserver: no leader",
                };
            }
        }

        if (detail.Contains("etcdserver: request timed out", StringComparison.Ordinal)
            || detail.Contains("context deadline exceeded", StringComparison.Ordinal))
        {
            // Proposed to raft, not known to be committed (etcd's ErrTimeout*), or etcd gave up waiting at our deadline
            // (typically a linearizable read on a follower while the leader is gone).
            return new EtcdFailure(EtcdOutcome.Unknown, Eject: false, ClusterWide: true, description);
        }

        if (TlsRejected(exception.Status.DebugException))
        {
            // A certificate the other side (or we) rejected is configuration, not a passing fault: fail at once.
            return new EtcdFailure(EtcdOutcome.Fatal, Eject: false, ClusterWide: false, description);
        }

        switch (exception.StatusCode)
        {
            case StatusCode.DeadlineExceeded:
                return new EtcdFailure(EtcdOutcome.Unknown, Eject: true, ClusterWide: false, description);
            case StatusCode.Unavailable:
            case StatusCode.Cancelled:
            case StatusCode.Internal:
            case StatusCode.Unknown:
                if (NeverConnected(exception.Status.DebugException))
                {
                    return new EtcdFailure(EtcdOutcome.NotApplied, Eject: true, ClusterWide: false, description) { Unserved = true };
                }

                // Unavailable without a transport cause is etcd itself (e.g. "server stopped"); the others only count
                // when the transport broke under the call.
                return exception.StatusCode == StatusCode.Unavailable || IsTransport(exception.Status.DebugException)
                    ? new EtcdFailure(EtcdOutcome.Unknown, Eject: true, ClusterWide: false, description)
                    : new EtcdFailure(EtcdOutcome.Fatal, Eject: false, ClusterWide: false, description);
            default:
                return new EtcdFailure(EtcdOutcome.Fatal, Eject: false, ClusterWide: false, description);
        }
    }

    public static EtcdFailure FromTransport(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (TlsRejected(exception))
        {
            return new EtcdFailure(EtcdOutcome.Fatal, Eject: false, ClusterWide: false, exception.Message);
        }

        bool neverConnected = NeverConnected(exception);
        return new EtcdFailure(neverConnected ? EtcdOutcome.NotApplied : EtcdOutcome.Unknown, Eject: true, ClusterWide: false, exception.Message) { Unserved = neverConnected };
    }

    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "s";

    /// <summary>The connection was never established, so the request was never sent.</summary>
    private static bool NeverConnected(Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError })
            {
                return true;
            }

            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound })
            {
                return true;
            }
        }

        return false;
    }

    private static bool TlsRejected(Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTransport(Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or IOException or SocketException or HttpProtocolException)
            {
                return true;
            }
        }

        return false;
    }
}
