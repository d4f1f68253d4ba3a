using Etcdserverpb;
using Grpc.Net.Client;

namespace Calico.Datastore.Etcd;

/// <summary>
/// One etcd member's channel and clients, and whether it is currently skipped ("ejected") after a timeout or a refused
/// connection. Health is advisory: an ejected member is still tried when no other is left.
/// </summary>
internal sealed class EtcdEndpoint : IDisposable
{
    private static readonly TimeSpan s_maxEjection = TimeSpan.FromSeconds(60);
    private readonly GrpcChannel _channel;
    private readonly Lock _gate = new();
    private int _consecutiveFailures;
    private long _ejectedUntilTicks;

    public EtcdEndpoint(Uri uri, EtcdChannelFactory.CertificateMaterial? material)
    {
        Uri = uri;
        Name = uri.GetLeftPart(UriPartial.Authority);
        _channel = EtcdChannelFactory.Create(uri, material);
        Kv = new KV.KVClient(_channel);
        Watch = new Watch.WatchClient(_channel);
    }

    public Uri Uri { get; }

    /// <summary>scheme://host:port as the operator wrote it.</summary>
    public string Name { get; }

    public KV.KVClient Kv { get; }

    public Watch.WatchClient Watch { get; }

    /// <summary>Until when (UTC ticks) the member is skipped; 0 when healthy.</summary>
    public long EjectedUntilTicks
    {
        get
        {
            lock (_gate)
            {
                return _ejectedUntilTicks;
            }
        }
    }

    public bool IsHealthy(DateTimeOffset now) => EjectedUntilTicks <= now.UtcTicks;

    public void MarkHealthy()
    {
        lock (_gate)
        {
            _consecutiveFailures = 0;
            _ejectedUntilTicks = 0;
        }
    }

    /// <summary>Skips the member for <paramref name="baseTime"/>, doubled per consecutive failure up to 60 s.</summary>
    public TimeSpan Eject(DateTimeOffset now, TimeSpan baseTime)
    {
        lock (_gate)
        {
            int doublings = Math.Min(_consecutiveFailures, 4);
            _consecutiveFailures++;
            TimeSpan period = TimeSpan.FromTicks(Math.Min(baseTime.Ticks << doublings, s_maxEjection.Ticks));
            _ejectedUntilTicks = (now + period).UtcTicks;
            return period;
        }
    }

    public void Dispose() => _channel.Dispose();

    public override string ToString() => Name;
}
