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

    // An attempt needs at least this much of the budget to be worth starting.
    private static readonly TimeSpan s_minimumAttempt = TimeSpan.FromMilliseconds(50);

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
        var unserved = new Unserved(_endpoints.Length);
        TimeSpan attemptTimeout = write ? _settings.WriteAttemptTimeout : _settings.AttemptTimeout;
        for (int round = 0; ; round++)
        {
            List<EtcdEndpoint> order = AttemptOrder();
            for (int i = 0; i < order.Count; i++)
            {
                TimeSpan remaining = _settings.RequestTimeout - _time.GetElapsedTime(started);
                if (remaining < s_minimumAttempt)
                {
                    throw unserved.All
                        ? QuorumLost(operation, key, _time.GetElapsedTime(started), unserved)
                        : DidNotAnswer(operation, key, attempts, attemptTimeout, lastError);
                }

                TimeSpan deadline = remaining < attemptTimeout ? remaining : attemptTimeout;
                attempts++;
                using var firstAbort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task<Attempt<T>> first = AttemptAsync(order[i], call, deadline, firstAbort.Token, cancellationToken);
                Attempt<T> outcome;

                // A read that the first member has not answered after the hedge delay also goes to the next member
                // (reads are idempotent): a frozen member then costs the hedge delay, not the attempt deadline.
                if (!write && i + 1 < order.Count && _settings.HedgeDelay < deadline
                    && await Task.WhenAny(first, Task.Delay(_settings.HedgeDelay, _time, cancellationToken)).ConfigureAwait(false) != first)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    i++;
                    attempts++;
                    using var secondAbort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    Task<Attempt<T>> second = AttemptAsync(order[i], call, deadline - _settings.HedgeDelay, secondAbort.Token, cancellationToken);
                    Task<Attempt<T>> done = await Task.WhenAny(first, second).ConfigureAwait(false);
                    Attempt<T> winner = await done.ConfigureAwait(false);
                    if (winner.Succeeded)
                    {
                        Task<Attempt<T>> loser = done == first ? second : first;
                        await (done == first ? secondAbort : firstAbort).CancelAsync().ConfigureAwait(false);
                        await loser.ConfigureAwait(false);
                        if (done == second)
                        {
                            // The hedge won: the first member did not answer a read others answered at once.
                            order[i - 1].Eject(_time.GetUtcNow(), _settings.EjectionTime);
                            Log.EndpointEjected(_logger, order[i - 1].Name, operation, key, $"no answer within the hedge delay {EtcdFailure.Seconds(_settings.HedgeDelay)}", _settings.EjectionTime.TotalSeconds);
                        }

                        NoteServed();
                        return (winner.Value!, ambiguous);
                    }

                    EtcdEndpoint answered = done == first ? order[i - 1] : order[i];
                    Record(answered, winner.Failure, operation, key, ref lastError);
                    CheckRetryable(winner.Failure, answered, operation, key, repeat);
                    NoteUnserved(unserved, answered, winner.Failure, operation, key);
                    ambiguous |= winner.Failure.Outcome == EtcdOutcome.Unknown;
                    first = done == first ? second : first;
                }

                outcome = await first.ConfigureAwait(false);
                if (outcome.Succeeded)
                {
                    NoteServed();
                    return (outcome.Value!, ambiguous);
                }

                EtcdEndpoint failed = order[i];
                Record(failed, outcome.Failure, operation, key, ref lastError);
                CheckRetryable(outcome.Failure, failed, operation, key, repeat);
                NoteUnserved(unserved, failed, outcome.Failure, operation, key);
                ambiguous |= outcome.Failure.Outcome == EtcdOutcome.Unknown;
                if (outcome.Failure.ClusterWide)
                {
                    await BackoffAsync(attempts, started, cancellationToken).ConfigureAwait(false);
                }
            }

            // Every member failed once: pause before the next round.
            await BackoffAsync(round + 1, started, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One attempt on one member; failures are values, only the caller's cancellation throws.</summary>
    private static async Task<Attempt<T>> AttemptAsync<T>(
        EtcdEndpoint endpoint,
        Func<KV.KVClient, CallOptions, AsyncUnaryCall<T>> call,
        TimeSpan deadline,
        CancellationToken attemptToken,
        CancellationToken cancellationToken)
    {
        try
        {
            var options = new CallOptions(s_requireLeader, DateTime.UtcNow + deadline, attemptToken);
            T response = await call(endpoint.Kv, options).ConfigureAwait(false);
            endpoint.MarkHealthy();
            return new Attempt<T>(true, response, default);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new Attempt<T>(false, default, ex.StatusCode == StatusCode.DeadlineExceeded ? EtcdFailure.AttemptTimedOut(deadline) : EtcdFailure.FromRpc(ex));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The channel reports its own deadline (and a hedge's loser being abandoned) as a cancellation.
            return new Attempt<T>(false, default, EtcdFailure.AttemptTimedOut(deadline));
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new Attempt<T>(false, default, EtcdFailure.FromTransport(ex));
        }
    }

    private void Record(EtcdEndpoint endpoint, EtcdFailure failure, string operation, string key, ref string? lastError)
    {
        lastError = $"{endpoint.Name}: {failure.Description}";
        if (!failure.Retryable)
        {
            return;
        }

        if (failure.Eject)
        {
            TimeSpan period = endpoint.Eject(_time.GetUtcNow(), _settings.EjectionTime);
            Log.EndpointEjected(_logger, endpoint.Name, operation, key, failure.Description, period.TotalSeconds);
        }
        else
        {
            Log.Retrying(_logger, operation, key, endpoint.Name, failure.Description);
        }
    }

    private void CheckRetryable(EtcdFailure failure, EtcdEndpoint endpoint, string operation, string key, Repeat repeat)
    {
        if (!failure.Retryable || (failure.Outcome == EtcdOutcome.Unknown && repeat == Repeat.Never))
        {
            Log.RequestFailed(_logger, operation, key, endpoint.Name, failure.Description);
            string unknown = failure.Outcome == EtcdOutcome.Unknown ? " (it may or may not have been applied)" : string.Empty;
            throw new DatastoreUnavailableException($"etcd at {endpoint.Name} failed {operation} {key}: {failure.Description}{unknown}");
        }
    }

    private readonly record struct Attempt<T>(bool Succeeded, T? Value, EtcdFailure Failure);

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
