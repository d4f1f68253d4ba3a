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

    private readonly NetlinkSocket _socket;
    private readonly NetlinkRecordPump<ConntrackEntry> _pump;
    private long _received;
    private long _overflows;

    private ConntrackEvents(NetlinkSocket socket)
    {
        _socket = socket;
        _pump = new NetlinkRecordPump<ConntrackEntry>(ReadOnce, "ctnetlink events");
    }

    public long Received => Interlocked.Read(ref _received);

    public long Overflows => Interlocked.Read(ref _overflows);

    public long Dropped => _pump.Dropped;

    /// <summary>
    /// Subscribes in the calling thread's namespace; <paramref name="destroyOnly"/> subscribes to ends alone (the
    /// kernel then builds and sends no message when a connection is confirmed).
    /// </summary>
    public static ConntrackEvents Open(int kernelBuffer = DefaultKernelBuffer, bool destroyOnly = false)
    {
        NetlinkSocket socket = NetlinkSocket.Open(NetlinkProtocol.Netfilter, destroyOnly ? ConntrackCodec.GroupDestroy : ConntrackCodec.GroupsNewAndDestroy);
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
        return _pump.ReadNow(timeout, onEvent);
    }

    /// <summary>
    /// Starts a dedicated thread reading until <see cref="Dispose"/>, into a channel of <paramref name="capacity"/>
    /// records; with <paramref name="coalesce"/>, the thread pauses that long after each read that yielded records
    /// (the kernel queues meanwhile), so a busy reader wakes its consumer once per batch rather than once per event.
    /// </summary>
    public ChannelReader<ConntrackEntry> Start(int capacity = 16 * 1024, TimeSpan coalesce = default)
    {
        return _pump.Start(capacity, coalesce);
    }

    public void Dispose()
    {
        _pump.Close(_socket);
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
