using System.Runtime.CompilerServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mvccpb;

namespace Calico.Datastore.Etcd;

/// <summary>
/// <see cref="IKeyValueStore"/> over etcd v3 gRPC, with upstream's transactions
/// (<c>libcalico-go/lib/backend/etcdv3/etcdv3.go</c>): create = If(version==0) Put Else Get; update and delete
/// with a revision = If(mod_revision==rev) ... Else Get. Transport failures become
/// <see cref="DatastoreUnavailableException"/> naming the endpoints.
/// </summary>
public sealed partial class EtcdKeyValueStore : IKeyValueStore
{
    private const long ListPageSize = 500;

    private readonly EtcdSettings _settings;
    private readonly ILogger _logger;
    private readonly GrpcChannel _channel;
    private readonly IDisposable? _ownedResources;
    private readonly KV.KVClient _kv;
    private readonly Watch.WatchClient _watch;

    public EtcdKeyValueStore(EtcdSettings settings, ILogger<EtcdKeyValueStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _channel = EtcdChannelFactory.Create(settings, out _ownedResources);
        _kv = new KV.KVClient(_channel);
        _watch = new Watch.WatchClient(_channel);
    }

    /// <summary>The endpoints this store talks to, comma-separated.</summary>
    public string Endpoints => _settings.EndpointList;

    public async Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        RangeResponse response = await CallAsync(
            "get", key, options => _kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(key) }, options), cancellationToken);
        return response.Kvs.Count == 0 ? null : ToKeyValue(response.Kvs[0]);
    }

    public async Task<ListResult> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ByteString rangeEnd = PrefixEnd(prefix);
        var items = new List<KeyValue>();
        long revision = 0;
        var request = new RangeRequest { Key = PrefixStart(prefix), RangeEnd = rangeEnd, Limit = ListPageSize };

        // Pages are read at the revision of the first page, so the whole list is one snapshot.
        while (true)
        {
            RangeResponse page = await CallAsync("list", prefix, options => _kv.RangeAsync(request, options), cancellationToken);
            if (revision == 0)
            {
                revision = page.Header.Revision;
            }

            foreach (Mvccpb.KeyValue kv in page.Kvs)
            {
                items.Add(ToKeyValue(kv));
            }

            if (!page.More || page.Kvs.Count == 0)
            {
                return new ListResult(items, revision);
            }

            request = new RangeRequest
            {
                Key = ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]),
                RangeEnd = rangeEnd,
                Limit = ListPageSize,
                Revision = revision,
            };
        }
    }

    public async Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ByteString keyBytes = ByteString.CopyFromUtf8(key);
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = keyBytes, Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = ByteString.CopyFrom(value.Span) } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } } },
        };
        TxnResponse response = await CallAsync("create", key, options => _kv.TxnAsync(txn, options), cancellationToken);
        if (response.Succeeded)
        {
            return new WriteResult(WriteStatus.Ok, response.Header.Revision, null);
        }

        KeyValue? current = CurrentFrom(response);
        return new WriteResult(WriteStatus.AlreadyExists, current?.Revision ?? 0, current);
    }

    public async Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        ByteString keyBytes = ByteString.CopyFromUtf8(key);
        var put = new PutRequest { Key = keyBytes, Value = ByteString.CopyFrom(value.Span) };
        if (expectedRevision == 0)
        {
            PutResponse putResponse = await CallAsync("update", key, options => _kv.PutAsync(put, options), cancellationToken);
            return new WriteResult(WriteStatus.Ok, putResponse.Header.Revision, null);
        }

        var txn = new TxnRequest
        {
            Compare = { ModRevisionEquals(keyBytes, expectedRevision) },
            Success = { new RequestOp { RequestPut = put } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } } },
        };
        TxnResponse response = await CallAsync("update", key, options => _kv.TxnAsync(txn, options), cancellationToken);
        if (response.Succeeded)
        {
            return new WriteResult(WriteStatus.Ok, response.Header.Revision, null);
        }

        KeyValue? current = CurrentFrom(response);
        return current is null
            ? new WriteResult(WriteStatus.NotFound, 0, null)
            : new WriteResult(WriteStatus.Conflict, current.Revision, current);
    }

    public async Task<WriteResult> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        ByteString keyBytes = ByteString.CopyFromUtf8(key);
        var delete = new DeleteRangeRequest { Key = keyBytes, PrevKv = true };
        if (expectedRevision == 0)
        {
            DeleteRangeResponse deleted = await CallAsync("delete", key, options => _kv.DeleteRangeAsync(delete, options), cancellationToken);
            return deleted.Deleted == 0
                ? new WriteResult(WriteStatus.NotFound, 0, null)
                : new WriteResult(WriteStatus.Ok, deleted.Header.Revision, null);
        }

        var txn = new TxnRequest
        {
            Compare = { ModRevisionEquals(keyBytes, expectedRevision) },
            Success = { new RequestOp { RequestDeleteRange = delete } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } } },
        };
        TxnResponse response = await CallAsync("delete", key, options => _kv.TxnAsync(txn, options), cancellationToken);
        if (response.Succeeded)
        {
            return new WriteResult(WriteStatus.Ok, response.Header.Revision, null);
        }

        KeyValue? current = CurrentFrom(response);
        return current is null
            ? new WriteResult(WriteStatus.NotFound, 0, null)
            : new WriteResult(WriteStatus.Conflict, current.Revision, current);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(afterRevision);
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

        using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call = _watch.Watch(cancellationToken: cancellationToken);
        await GuardAsync("watch", prefix, async () => await call.RequestStream.WriteAsync(create, cancellationToken), cancellationToken);
        Log.WatchStarted(_logger, prefix, afterRevision);
        while (true)
        {
            WatchResponse? response = await GuardAsync(
                "watch", prefix, async () => await call.ResponseStream.MoveNext(cancellationToken) ? call.ResponseStream.Current : null, cancellationToken);
            if (response is null)
            {
                throw new DatastoreUnavailableException($"etcd at {_settings.EndpointList} closed the watch on {prefix}");
            }

            if (response.CompactRevision != 0)
            {
                throw new WatchCompactedException(afterRevision, response.CompactRevision);
            }

            if (response.Canceled)
            {
                throw new DatastoreUnavailableException($"etcd at {_settings.EndpointList} cancelled the watch on {prefix}: {response.CancelReason}");
            }

            foreach (Event e in response.Events)
            {
                yield return ToWatchEvent(e);
            }
        }
    }

    /// <summary>Discards history before <paramref name="revision"/> (etcd compaction, physical).</summary>
    public async Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        await CallAsync(
            "compact",
            string.Empty,
            options => _kv.CompactAsync(new CompactionRequest { Revision = revision, Physical = true }, options),
            cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        _ownedResources?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Compare ModRevisionEquals(ByteString key, long revision) => new()
    {
        Key = key,
        Target = Compare.Types.CompareTarget.Mod,
        Result = Compare.Types.CompareResult.Equal,
        ModRevision = revision,
    };

    private static KeyValue? CurrentFrom(TxnResponse response)
    {
        foreach (ResponseOp op in response.Responses)
        {
            if (op.ResponseRange is { Kvs.Count: > 0 } range)
            {
                return ToKeyValue(range.Kvs[0]);
            }
        }

        return null;
    }

    private static KeyValue ToKeyValue(Mvccpb.KeyValue kv) => new(kv.Key.ToStringUtf8(), kv.Value.ToByteArray(), kv.ModRevision);

    private static WatchEvent ToWatchEvent(Event e)
    {
        byte[]? previous = e.PrevKv?.Value.ToByteArray();
        return e.Type == Event.Types.EventType.Delete
            ? new WatchEvent(WatchEventType.Delete, e.Kv.Key.ToStringUtf8(), null, previous, e.Kv.ModRevision)
            : new WatchEvent(WatchEventType.Put, e.Kv.Key.ToStringUtf8(), e.Kv.Value.ToByteArray(), previous, e.Kv.ModRevision);
    }

    /// <summary>etcd rejects an empty key; clientv3 turns the empty prefix into "\0" (with range end "\0": all keys).</summary>
    internal static ByteString PrefixStart(string prefix) => prefix.Length == 0 ? ByteString.CopyFrom(0) : ByteString.CopyFromUtf8(prefix);

    /// <summary>etcd's prefix range end: the prefix with its last byte incremented; "\0" (everything) for "".</summary>
    internal static ByteString PrefixEnd(string prefix)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }

        return ByteString.CopyFrom(0);
    }

    private async Task<T> CallAsync<T>(string operation, string key, Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        var options = new CallOptions(deadline: DateTime.UtcNow + _settings.RequestTimeout, cancellationToken: cancellationToken);
        return await GuardAsync(operation, key, async () => await call(options), cancellationToken);
    }

    private async Task<T> GuardAsync<T>(string operation, string key, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action();
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.RequestFailed(_logger, operation, key, _settings.EndpointList, ex.StatusCode, ex);
            throw new DatastoreUnavailableException(
                $"etcd at {_settings.EndpointList} failed {operation} {key}: {ex.StatusCode} {ex.Status.Detail}", ex);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DatastoreUnavailableException($"etcd at {_settings.EndpointList} failed {operation} {key}: {ex.Message}", ex);
        }
    }

    private Task<bool> GuardAsync(string operation, string key, Func<Task> action, CancellationToken cancellationToken) =>
        GuardAsync(operation, key, async () =>
        {
            await action();
            return true;
        }, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "etcd {Operation} {Key} failed against {Endpoints}: {StatusCode}")]
        public static partial void RequestFailed(ILogger logger, string operation, string key, string endpoints, StatusCode statusCode, Exception exception);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "etcd watch on {Prefix} after revision {Revision}")]
        public static partial void WatchStarted(ILogger logger, string prefix, long revision);
    }
}
