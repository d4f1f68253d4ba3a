using Etcdserverpb;
using Grpc.Core;

namespace Calico.Datastore.Etcd;

/// <summary>
/// Unary calls with failover: every attempt has its own deadline and goes to one member; a member that times out or
/// refuses is ejected for a while and the call moves to the next; transient cluster errors (leader changed, no leader)
/// back off with jitter. The whole call is bounded by <see cref="EtcdSettings.RequestTimeout"/>.
/// </summary>
public sealed partial class EtcdKeyValueStore
{
    private static readonly TimeSpan s_backoffBase = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_backoffMax = TimeSpan.FromSeconds(1);

    // clientv3.WithRequireLeader: a member cut off from the leader answers "no leader" at once instead of hanging.
    private static readonly Metadata s_requireLeader = new() { { "hasleader", "true" } };

    /// <summary>How a call may be repeated after an attempt whose outcome is unknown.</summary>
    private enum Repeat
    {
        /// <summary>Reads and puts: repeating changes nothing (a put writes the same value again).</summary>
        Always,

        /// <summary>
        /// Compare-and-swap transactions and deletes: repeated, and the caller learns the result was ambiguous
        /// (a CAS whose compare then fails may be failing on our own earlier write).
        /// </summary>
        ReportAmbiguous,

        /// <summary>Not repeated (compaction).</summary>
        Never,
    }

    private async Task<(T Response, bool Ambiguous)> ExecuteAsync<T>(
        string operation,
        string key,
        bool write,
        Repeat repeat,
        Func<KV.KVClient, CallOptions, AsyncUnaryCall<T>> call,
        CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        bool ambiguous = false;
        int attempts = 0;
        string? lastError = null;
        TimeSpan attemptTimeout = write ? _settings.WriteAttemptTimeout : _settings.AttemptTimeout;
        for (int round = 0; ; round++)
        {
            foreach (EtcdEndpoint endpoint in AttemptOrder())
            {
                TimeSpan remaining = _settings.RequestTimeout - _time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    throw DidNotAnswer(operation, key, attempts, attemptTimeout, lastError);
                }

                TimeSpan deadline = remaining < attemptTimeout ? remaining : attemptTimeout;
                attempts++;
                EtcdFailure failure;
                try
                {
                    var options = new CallOptions(s_requireLeader, DateTime.UtcNow + deadline, cancellationToken);
                    T response = await call(endpoint.Kv, options).ConfigureAwait(false);
                    endpoint.MarkHealthy();
                    return (response, ambiguous);
                }
                catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = ex.StatusCode == StatusCode.DeadlineExceeded ? EtcdFailure.AttemptTimedOut(deadline) : EtcdFailure.FromRpc(ex);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The channel reports its own deadline as a cancellation.
                    failure = EtcdFailure.AttemptTimedOut(deadline);
                }
                catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = EtcdFailure.FromTransport(ex);
                }

                lastError = $"{endpoint.Name}: {failure.Description}";
                if (!failure.Retryable || (failure.Outcome == EtcdOutcome.Unknown && repeat == Repeat.Never))
                {
                    Log.RequestFailed(_logger, operation, key, endpoint.Name, failure.Description);
                    string unknown = failure.Outcome == EtcdOutcome.Unknown ? " (it may or may not have been applied)" : string.Empty;
                    throw new DatastoreUnavailableException($"etcd at {endpoint.Name} failed {operation} {key}: {failure.Description}{unknown}");
                }

                ambiguous |= failure.Outcome == EtcdOutcome.Unknown;
                if (failure.Eject)
                {
                    TimeSpan period = endpoint.Eject(_time.GetUtcNow(), _settings.EjectionTime);
                    Log.EndpointEjected(_logger, endpoint.Name, operation, key, failure.Description, period.TotalSeconds);
                }
                else
                {
                    Log.Retrying(_logger, operation, key, endpoint.Name, failure.Description);
                }

                if (failure.ClusterWide)
                {
                    await BackoffAsync(attempts, started, cancellationToken).ConfigureAwait(false);
                }
            }

            // Every member failed once: pause before the next round.
            await BackoffAsync(round + 1, started, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Healthy members first, in round-robin order (spreads load as clientv3's balancer); ejected ones last.</summary>
    private List<EtcdEndpoint> AttemptOrder()
    {
        DateTimeOffset now = _time.GetUtcNow();
        int count = _endpoints.Length;
        int start = (int)((uint)Interlocked.Increment(ref _nextEndpoint) % (uint)count);
        var healthy = new List<EtcdEndpoint>(count);
        var ejected = new List<EtcdEndpoint>();
        for (int i = 0; i < count; i++)
        {
            EtcdEndpoint endpoint = _endpoints[(start + i) % count];
            (endpoint.IsHealthy(now) ? healthy : ejected).Add(endpoint);
        }

        ejected.Sort((a, b) => a.EjectedUntilTicks.CompareTo(b.EjectedUntilTicks));
        healthy.AddRange(ejected);
        return healthy;
    }

    /// <summary>Full-jitter exponential backoff (100 ms doubling to 1 s), never past the call's budget.</summary>
    private async Task BackoffAsync(int step, long started, CancellationToken cancellationToken)
    {
        TimeSpan cap = TimeSpan.FromTicks(Math.Min(s_backoffBase.Ticks << Math.Min(step, 4), s_backoffMax.Ticks));
        TimeSpan delay = TimeSpan.FromTicks((long)(cap.Ticks * (0.5 + (_random.NextDouble() / 2))));
        TimeSpan remaining = _settings.RequestTimeout - _time.GetElapsedTime(started);
        if (remaining <= TimeSpan.Zero)
        {
            return;
        }

        await Task.Delay(delay < remaining ? delay : remaining, _time, cancellationToken).ConfigureAwait(false);
    }

    private DatastoreUnavailableException DidNotAnswer(string operation, string key, int attempts, TimeSpan attemptTimeout, string? lastError)
    {
        string what = key.Length == 0 ? operation : operation + " " + key;
        string message = $"etcd at {_settings.EndpointList} did not answer {what} within {EtcdFailure.Seconds(_settings.RequestTimeout)}"
            + $" ({attempts} attempts, each up to {EtcdFailure.Seconds(attemptTimeout)}; last: {lastError ?? "none"})";
        Log.GaveUp(_logger, operation, key, _settings.EndpointList, attempts);
        return new DatastoreUnavailableException(message);
    }
}
