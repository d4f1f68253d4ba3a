using System.Threading.Channels;
using Calico.Linux.Netlink;

namespace Calico.Linux.Nflog;

/// <summary>
/// A listener of nfnetlink_log groups (what nft's <c>log group N</c> sends to) in one network namespace: bound to the
/// groups with copy mode packet and a small copy range (enough for the IP and transport headers), it yields each
/// logged packet as an <see cref="NflogPacket"/>. Either read synchronously with <see cref="Read"/>, or
/// <see cref="Start"/> a dedicated thread that fills a bounded channel. When the kernel's queue overflows (a flood)
/// the kernel drops packets' records and says so (ENOBUFS): that is counted in <see cref="Overflows"/> and reading goes
/// on; records the channel had no room for are counted in <see cref="Dropped"/>. One listener per group and namespace
/// (the kernel refuses a second one with EBUSY).
/// </summary>
public sealed class NflogReader : IDisposable
{
    /// <summary>The bytes copied per packet: an IPv6 header with an extension header, and TCP's ports, fit.</summary>
    public const int DefaultCopyRange = 128;

    /// <summary>The kernel-side queue asked for: about 20,000 small records before it overflows.</summary>
    public const int DefaultKernelBuffer = 4 * 1024 * 1024;

    private readonly NetlinkSocket _socket;
    private readonly ushort[] _groups;
    private readonly NetlinkRecordPump<NflogPacket> _pump;
    private long _received;
    private long _overflows;
    private long _undecodable;

    private NflogReader(NetlinkSocket socket, ushort[] groups)
    {
        _socket = socket;
        _groups = groups;
        _pump = new NetlinkRecordPump<NflogPacket>(ReadOnce, "nflog " + string.Join(',', groups));
    }

    /// <summary>The groups this reader is bound to.</summary>
    public IReadOnlyList<ushort> Groups => _groups;

    /// <summary>Packets decoded.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Times the kernel reported its queue overflowed (each time one or more records were lost).</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>Packets decoded but not queued because the channel was full (<see cref="Start"/> only).</summary>
    public long Dropped => _pump.Dropped;

    /// <summary>Records that were not IPv4 or IPv6 packets this can read.</summary>
    public long Undecodable => Interlocked.Read(ref _undecodable);

    /// <summary>Binds to <paramref name="groups"/> in the calling thread's network namespace.</summary>
    public static NflogReader Open(IEnumerable<ushort> groups, int copyRange = DefaultCopyRange, int kernelBuffer = DefaultKernelBuffer, int queueThreshold = 1)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ushort[] list = [.. groups.Distinct()];
        if (list.Length == 0)
        {
            throw new ArgumentException("at least one group", nameof(groups));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(copyRange, 40);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueThreshold, 1);
        NetlinkSocket socket = NetlinkSocket.Open(NetlinkProtocol.Netfilter);
        try
        {
            socket.SetKernelReceiveBuffer(kernelBuffer);
            var writer = new NetlinkWriter(NetlinkProtocol.Netfilter, 256);
            foreach (ushort group in list)
            {
                writer.Reset();
                // Flush after 10 ms at the latest (the kernel's default is 1 s when it batches).
                NflogCodec.WriteConfig(writer, socket.NextSequence(), group, bind: true, (uint)copyRange, bufferSize: 64 * 1024, flushTimeoutCentiseconds: 1, (uint)queueThreshold);
                socket.Execute(writer.Written, $"nfnetlink_log bind group {group}");
            }

            return new NflogReader(socket, list);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Binds inside the namespace at <paramref name="netnsPath"/> (the socket stays there).</summary>
    public static Task<NflogReader> OpenInAsync(string netnsPath, IEnumerable<ushort> groups, CancellationToken cancellationToken, int copyRange = DefaultCopyRange, int kernelBuffer = DefaultKernelBuffer)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ushort[] list = [.. groups];
        return NetworkNamespace.RunInAsync(netnsPath, () => Open(list, copyRange, kernelBuffer), cancellationToken);
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for records and hands each decoded packet to <paramref name="onPacket"/>;
    /// returns how many (0 on timeout or overflow). Not with <see cref="Start"/>; not thread-safe.
    /// </summary>
    public int Read(TimeSpan timeout, Action<NflogPacket> onPacket)
    {
        return _pump.ReadNow(timeout, onPacket);
    }

    /// <summary>
    /// Starts a dedicated thread that reads until <see cref="Dispose"/>, into a channel of <paramref name="capacity"/>
    /// packets; with <paramref name="coalesce"/>, the thread pauses that long after each read that yielded packets,
    /// so a busy reader wakes (and wakes its consumer) once per batch rather than once per packet.
    /// </summary>
    public ChannelReader<NflogPacket> Start(int capacity = 16 * 1024, TimeSpan coalesce = default)
    {
        return _pump.Start(capacity, coalesce);
    }

    public void Dispose()
    {
        _pump.Close(_socket);
    }

    private void ReadOnce(TimeSpan timeout, Action<NflogPacket> onPacket)
    {
        int messages = _socket.ReceiveStream(timeout, (type, payload) =>
        {
            if (NflogCodec.DecodePacket(type, payload) is { } packet)
            {
                Interlocked.Increment(ref _received);
                onPacket(packet);
            }
            else
            {
                Interlocked.Increment(ref _undecodable);
            }
        });
        if (messages == NetlinkSocket.Overflowed)
        {
            Interlocked.Increment(ref _overflows);
        }
    }
}
