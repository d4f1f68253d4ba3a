using Etcdserverpb;
using Grpc.Core;

namespace Calico.Datastore.Etcd;

/// <summary>
/// One etcd watch stream on one member, read with a liveness check: after a silent interval it sends a progress
/// request (etcd 3.4+ answers at once), and a second silent interval means the member is gone or frozen.
/// </summary>
internal sealed class WatchStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _abort;
    private readonly CancellationToken _callerToken;
    private readonly AsyncDuplexStreamingCall<WatchRequest, WatchResponse> _call;
    private Task<bool>? _pending;

    public WatchStream(EtcdEndpoint endpoint, Metadata headers, CancellationToken cancellationToken)
    {
        Endpoint = endpoint;
        _callerToken = cancellationToken;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _call = endpoint.Watch.Watch(headers, cancellationToken: _abort.Token);
    }

    public EtcdEndpoint Endpoint { get; }

    /// <summary>Sends the create request and waits for etcd's confirmation (or its compaction answer).</summary>
    /// <exception cref="TimeoutException">Nothing came back within <paramref name="deadline"/>.</exception>
    public async Task<WatchResponse> CreateAsync(WatchRequest create, TimeSpan deadline, TimeProvider time)
    {
        await _call.RequestStream.WriteAsync(create, _abort.Token).WaitAsync(deadline, time, _callerToken).ConfigureAwait(false);
        _pending = _call.ResponseStream.MoveNext(_abort.Token);
        bool any = await _pending.WaitAsync(deadline, time, _callerToken).ConfigureAwait(false);
        _pending = null;
        return any ? _call.ResponseStream.Current : throw new IOException("the watch stream ended before etcd confirmed it");
    }

    /// <summary>The next response, or null and the reason when the stream broke or went silent.</summary>
    public async Task<(WatchResponse? Response, string? Lost)> NextAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        Task<bool> pending = _pending ??= _call.ResponseStream.MoveNext(_abort.Token);
        bool progressRequested = false;
        try
        {
            while (true)
            {
                try
                {
                    bool any = await pending.WaitAsync(interval, cancellationToken).ConfigureAwait(false);
                    _pending = null;
                    return any ? (_call.ResponseStream.Current, null) : (null, "etcd closed the stream");
                }
                catch (TimeoutException)
                {
                    if (progressRequested)
                    {
                        return (null, $"no answer to a progress request within {EtcdFailure.Seconds(interval)}");
                    }

                    progressRequested = true;
                    var progress = new WatchRequest { ProgressRequest = new WatchProgressRequest() };
                    await _call.RequestStream.WriteAsync(progress, _abort.Token).WaitAsync(interval, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (TimeoutException)
        {
            return (null, "could not send a progress request");
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"{ex.StatusCode} {ex.Status.Detail}");
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, ex.Message);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "the stream was cancelled");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync().ConfigureAwait(false);
        if (_pending is not null)
        {
            try
            {
                await _pending.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The stream is being discarded; its last read's failure is expected and irrelevant.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        _call.Dispose();
        _abort.Dispose();
    }
}
