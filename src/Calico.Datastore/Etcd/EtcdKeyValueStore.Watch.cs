using System.Runtime.CompilerServices;
using Etcdserverpb;
using Grpc.Core;
using Mvccpb;

namespace Calico.Datastore.Etcd;

/// <summary>
/// Watches that survive a member's loss: a stream that breaks, or stays silent through a progress request (a frozen
/// member keeps the TCP connection open and never answers), is reopened on another member from the last delivered
/// revision, so the caller sees neither a gap nor a repeat. Only when no member accepts a new stream within the
/// request budget does the watch end with <see cref="DatastoreUnavailableException"/>.
/// </summary>
public sealed partial class EtcdKeyValueStore
{
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(afterRevision);
        long delivered = afterRevision;
        while (true)
        {
            await using WatchStream stream = await OpenWatchAsync(prefix, delivered, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                (WatchResponse? response, string? lost) = await stream.NextAsync(_settings.WatchProgressInterval, cancellationToken).ConfigureAwait(false);
                if (response is null)
                {
                    Log.WatchLost(_logger, prefix, stream.Endpoint.Name, lost!, delivered);
                    stream.Endpoint.Eject(_time.GetUtcNow(), _settings.EjectionTime);
                    break;
                }

                if (response.CompactRevision != 0)
                {
                    throw new WatchCompactedException(delivered, response.CompactRevision);
                }

                if (response.Canceled)
                {
                    throw new DatastoreUnavailableException($"etcd at {stream.Endpoint.Name} cancelled the watch on {prefix}: {response.CancelReason}");
                }

                foreach (Event e in response.Events)
                {
                    delivered = e.Kv.ModRevision;
                    yield return ToWatchEvent(e);
                }
            }
        }
    }

    /// <summary>Opens a stream on the first member that confirms the watch, within the request budget.</summary>
    private async Task<WatchStream> OpenWatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken)
    {
        var create = new WatchRequest
        {
            CreateRequest = new WatchCreateRequest
            {
                Key = PrefixStart(prefix),
                RangeEnd = PrefixEnd(prefix),
                StartRevision = afterRevision + 1,
                PrevKv = true,
            },
        };
        long started = _time.GetTimestamp();
        int attempts = 0;
        string? lastError = null;
        for (int round = 0; ; round++)
        {
            foreach (EtcdEndpoint endpoint in AttemptOrder())
            {
                TimeSpan remaining = _settings.RequestTimeout - _time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    throw DidNotAnswer("watch", prefix, attempts, _settings.AttemptTimeout, lastError);
                }

                TimeSpan deadline = remaining < _settings.AttemptTimeout ? remaining : _settings.AttemptTimeout;
                attempts++;
                var stream = new WatchStream(endpoint, s_requireLeader, cancellationToken);
                EtcdFailure failure;
                try
                {
                    WatchResponse created = await stream.CreateAsync(create, deadline, _time).ConfigureAwait(false);
                    if (created.CompactRevision != 0)
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                        throw new WatchCompactedException(afterRevision, created.CompactRevision);
                    }

                    endpoint.MarkHealthy();
                    NoteServed();
                    Log.WatchStarted(_logger, prefix, afterRevision, endpoint.Name);
                    return stream;
                }
                catch (TimeoutException)
                {
                    failure = EtcdFailure.AttemptTimedOut(deadline);
                }
                catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = EtcdFailure.FromRpc(ex);
                }
                catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = EtcdFailure.FromTransport(ex);
                }
                catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = EtcdFailure.FromTransport(ex);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = EtcdFailure.AttemptTimedOut(deadline);
                }
                catch
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                    throw;
                }

                await stream.DisposeAsync().ConfigureAwait(false);
                lastError = $"{endpoint.Name}: {failure.Description}";
                if (!failure.Retryable)
                {
                    throw new DatastoreUnavailableException($"etcd at {endpoint.Name} failed watch {prefix}: {failure.Description}");
                }

                if (failure.Eject)
                {
                    TimeSpan period = endpoint.Eject(_time.GetUtcNow(), _settings.EjectionTime);
                    Log.EndpointEjected(_logger, endpoint.Name, "watch", prefix, failure.Description, period.TotalSeconds);
                }
                else
                {
                    await BackoffAsync(attempts, started, cancellationToken).ConfigureAwait(false);
                }
            }

            await BackoffAsync(round + 1, started, cancellationToken).ConfigureAwait(false);
        }
    }
}
