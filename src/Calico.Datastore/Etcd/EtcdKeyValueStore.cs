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
/// with a revision = If(mod_revision==rev) ... Else Get. One channel per member; calls fail over between members
/// (see DESIGN.md, "etcd backend"). Failures become <see cref="DatastoreUnavailableException"/> naming etcd, the
/// endpoints and, when nothing answered, the time budget.
/// </summary>
public sealed partial class EtcdKeyValueStore : IKeyValueStore
{
    private const long ListPageSize = 500;

    private readonly EtcdSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly EtcdChannelFactory.CertificateMaterial? _ownedResources;
    private readonly EtcdEndpoint[] _endpoints;
    private int _nextEndpoint;

    public EtcdKeyValueStore(EtcdSettings settings, ILogger<EtcdKeyValueStore>? logger = null)
        : this(settings, logger, TimeProvider.System, Random.Shared)
    {
    }

    internal EtcdKeyValueStore(EtcdSettings settings, ILogger? logger, TimeProvider time, Random random)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        _settings = settings;
        _logger = logger ?? NullLogger.Instance;
        _time = time;
        _random = random;
        EtcdChannelFactory.CertificateMaterial? material = EtcdChannelFactory.LoadCertificates(settings);
        _ownedResources = material;
        _endpoints = [.. settings.Endpoints.Select(e => new EtcdEndpoint(e, material))];

        // Processes on many hosts share one endpoint list: start each at a random member so the load spreads.
        _nextEndpoint = random.Next(_endpoints.Length);
    }

    /// <summary>The endpoints this store talks to, comma-separated.</summary>
    public string Endpoints => _settings.EndpointList;

    public async Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var request = new RangeRequest { Key = ByteString.CopyFromUtf8(key) };
        (RangeResponse response, _) = await ExecuteAsync("get", key, write: false, Repeat.Always, (kv, options) => kv.RangeAsync(request, options), cancellationToken);
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
            RangeRequest pageRequest = request;
            (RangeResponse page, _) = await ExecuteAsync("list", prefix, write: false, Repeat.Always, (kv, options) => kv.RangeAsync(pageRequest, options), cancellationToken);
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
        (TxnResponse response, bool ambiguous) = await ExecuteAsync("create", key, write: true, Repeat.ReportAmbiguous, (kv, options) => kv.TxnAsync(txn, options), cancellationToken);
        if (response.Succeeded)
        {
            return new WriteResult(WriteStatus.Ok, response.Header.Revision, null);
        }

        Mvccpb.KeyValue? raw = RawCurrentFrom(response);
        if (ambiguous && raw is not null && raw.CreateRevision == raw.ModRevision)
        {
            // Never modified since it was created: our first attempt created it if it holds exactly our value; with
            // another value someone else created it (ours did not apply, or applied and was deleted since), which is
            // what AlreadyExists says.
            return raw.Value.Span.SequenceEqual(value.Span)
                ? new WriteResult(WriteStatus.Ok, raw.ModRevision, null)
                : new WriteResult(WriteStatus.AlreadyExists, raw.ModRevision, ToKeyValue(raw));
        }

        if (ambiguous && raw is not null)
        {
            // Modified since it was created: it may be ours, changed by someone else since.
            throw Ambiguous("create", key);
        }

        KeyValue? current = raw is null ? null : ToKeyValue(raw);
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
            (PutResponse putResponse, _) = await ExecuteAsync("update", key, write: true, Repeat.Always, (kv, options) => kv.PutAsync(put, options), cancellationToken);
            return new WriteResult(WriteStatus.Ok, putResponse.Header.Revision, null);
        }

        var txn = new TxnRequest
        {
            Compare = { ModRevisionEquals(keyBytes, expectedRevision) },
            Success = { new RequestOp { RequestPut = put } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } } },
        };
        (TxnResponse response, bool ambiguous) = await ExecuteAsync("update", key, write: true, Repeat.ReportAmbiguous, (kv, options) => kv.TxnAsync(txn, options), cancellationToken);
        if (response.Succeeded)
        {
            return new WriteResult(WriteStatus.Ok, response.Header.Revision, null);
        }

        if (ambiguous)
        {
            // Our first attempt applied if the key now holds exactly our value (nobody else writes our bytes).
            Mvccpb.KeyValue? raw = RawCurrentFrom(response);
            return raw is not null && raw.Value.Span.SequenceEqual(value.Span)
                ? new WriteResult(WriteStatus.Ok, raw.ModRevision, null)
                : throw Ambiguous("update", key);
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
            (DeleteRangeResponse deleted, bool deleteAmbiguous) = await ExecuteAsync(
                "delete", key, write: true, Repeat.ReportAmbiguous, (kv, options) => kv.DeleteRangeAsync(delete, options), cancellationToken);

            // After an attempt with unknown outcome "nothing to delete" may be our own earlier delete: the key is gone
            // either way, which is what an unconditional delete asks for.
            return deleted.Deleted == 0 && !deleteAmbiguous
                ? new WriteResult(WriteStatus.NotFound, 0, null)
                : new WriteResult(WriteStatus.Ok, deleted.Header.Revision, null);
        }

        var txn = new TxnRequest
        {
            Compare = { ModRevisionEquals(keyBytes, expectedRevision) },
            Success = { new RequestOp { RequestDeleteRange = delete } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } } },
        };
        (TxnResponse response, bool ambiguous) = await ExecuteAsync("delete", key, write: true, Repeat.ReportAmbiguous, (kv, options) => kv.TxnAsync(txn, options), cancellationToken);
        if (response.Succeeded)
        {
            return new WriteResult(WriteStatus.Ok, response.Header.Revision, null);
        }

        if (ambiguous)
        {
            // Gone is what was asked; a key still there (changed or recreated) leaves the outcome unknown.
            return RawCurrentFrom(response) is null
                ? new WriteResult(WriteStatus.Ok, response.Header.Revision, null)
                : throw Ambiguous("delete", key);
        }

        KeyValue? current = CurrentFrom(response);
        return current is null
            ? new WriteResult(WriteStatus.NotFound, 0, null)
            : new WriteResult(WriteStatus.Conflict, current.Revision, current);
    }

    /// <summary>Discards history before <paramref name="revision"/> (etcd compaction, physical).</summary>
    public async Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        var request = new CompactionRequest { Revision = revision, Physical = true };
        await ExecuteAsync("compact", string.Empty, write: true, Repeat.Never, (kv, options) => kv.CompactAsync(request, options), cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        foreach (EtcdEndpoint endpoint in _endpoints)
        {
            endpoint.Dispose();
        }

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

    private static KeyValue? CurrentFrom(TxnResponse response) => RawCurrentFrom(response) is { } kv ? ToKeyValue(kv) : null;

    private static Mvccpb.KeyValue? RawCurrentFrom(TxnResponse response)
    {
        foreach (ResponseOp op in response.Responses)
        {
            if (op.ResponseRange is { Kvs.Count: > 0 } range)
            {
                return range.Kvs[0];
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

    /// <summary>
    /// A compare that failed after an attempt whose outcome is unknown may have failed on our own write, and nothing
    /// shows it was ours: reporting Conflict/AlreadyExists would make the caller redo a change that may already be
    /// there, so the outcome is reported as unknown.
    /// </summary>
    private DatastoreUnavailableException Ambiguous(string operation, string key) => new(
        $"etcd at {_settings.EndpointList}: {operation} {key} got no answer from one member and its retry found the key changed; it may or may not have been applied (read it again)");
}
