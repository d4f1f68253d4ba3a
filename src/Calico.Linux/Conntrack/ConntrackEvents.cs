using System.Threading.Channels;
using Calico.Linux.Netlink;

namespace Calico.Linux.Conntrack;

/// <summary>
/// ctnetlink events of one network namespace: connections confirmed (NFNLGRP_CONNTRACK_NEW) and ended
/// (NFNLGRP_CONNTRACK_DESTROY, with the final counters when accounting is on), as <see cref="ConntrackEntry"/> records
/// of kind <see cref="ConntrackEventKind.New"/> or <see cref="ConntrackEventKind.Destroy"/>. Read synchronously with
/// <see cref="Read"/>, or <see cref="Start"/> a dedicated thread filling a bounded channel. A kernel queue overflow
/// (ENOBUFS: events lost) is counted in <see cref="Overflows"/>, records the channel had no room for in
/// <see cref="Dropped"/>; reading goes on (a caller that must not miss an end can dump the table after an overflow).
/// </summary>
public sealed class ConntrackEvents : IDisposable
{
    public const int DefaultKernelBuffer = 4 * 1024 * 1024;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly NetlinkSocket _socket;
    private readonly Lock _gate = new();
    private long _received;
    private long _overflows;
    private long _dropped;
    private Thread? _thread;
    private Channel<ConntrackEntry>? _channel;
    private volatile bool _stopping;
    private bool _disposed;

    private ConntrackEvents(NetlinkSocket socket) => _socket = socket;

    public long Received => Interlocked.Read(ref _received);

    public long Overflows => Interlocked.Read(ref _overflows);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Subscribes in the calling thread's namespace.</summary>
    public static ConntrackEvents Open(int kernelBuffer = DefaultKernelBuffer)
    {
        NetlinkSocket socket = NetlinkSocket.Open(NetlinkProtocol.Netfilter, ConntrackCodec.GroupsNewAndDestroy);
        try
        {
            socket.SetKernelReceiveBuffer(kernelBuffer);
            return new ConntrackEvents(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Subscribes inside the namespace at <paramref name="netnsPath"/>.</summary>
    public static Task<ConntrackEvents> OpenInAsync(string netnsPath, CancellationToken cancellationToken, int kernelBuffer = DefaultKernelBuffer) =>
        NetworkNamespace.RunInAsync(netnsPath, () => Open(kernelBuffer), cancellationToken);

    /// <summary>Waits up to <paramref name="timeout"/> and hands each event to <paramref name="onEvent"/>; returns how many. Not with <see cref="Start"/>.</summary>
    public int Read(TimeSpan timeout, Action<ConntrackEntry> onEvent)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        if (_thread is not null)
        {
            throw new InvalidOperationException("the reader was started: read its channel");
        }

        int count = 0;
        ReadOnce(timeout, entry =>
        {
            count++;
            onEvent(entry);
        });
        return count;
    }

    /// <summary>Starts a dedicated thread reading until <see cref="Dispose"/>, into a channel of <paramref name="capacity"/> records.</summary>
    public ChannelReader<ConntrackEntry> Start(int capacity = 16 * 1024)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_channel is not null)
            {
                return _channel.Reader;
            }

            var channel = Channel.CreateBounded<ConntrackEntry>(new BoundedChannelOptions(capacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
            _channel = channel;
            _thread = new Thread(() => Loop(channel)) { IsBackground = true, Name = "ctnetlink events" };
            _thread.Start();
            return channel.Reader;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stopping = true;
        _thread?.Join(TimeSpan.FromSeconds(5));
        _socket.Dispose();
        _channel?.Writer.TryComplete();
    }

    private void Loop(Channel<ConntrackEntry> channel)
    {
        Action<ConntrackEntry> enqueue = entry =>
        {
            if (!channel.Writer.TryWrite(entry))
            {
                Interlocked.Increment(ref _dropped);
            }
        };
        try
        {
            while (!_stopping)
            {
                ReadOnce(PollInterval, enqueue);
            }
        }
        catch (Exception e) when (e is NetlinkException or ObjectDisposedException or InvalidDataException)
        {
            channel.Writer.TryComplete(_stopping ? null : e);
            return;
        }

        channel.Writer.TryComplete();
    }

    private void ReadOnce(TimeSpan timeout, Action<ConntrackEntry> onEvent)
    {
        int messages = _socket.ReceiveStream(timeout, (type, payload) =>
        {
            if (ConntrackCodec.KindOf(type, dump: false) is { } kind && ConntrackCodec.Decode(kind, payload) is { } entry)
            {
                Interlocked.Increment(ref _received);
                onEvent(entry);
            }
        });
        if (messages == NetlinkSocket.Overflowed)
        {
            Interlocked.Increment(ref _overflows);
        }
    }
}
