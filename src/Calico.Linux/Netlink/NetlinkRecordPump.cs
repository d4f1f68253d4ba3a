using System.Threading.Channels;

namespace Calico.Linux.Netlink;

/// <summary>
/// The dedicated reading thread of a netlink listener (nfnetlink_log, ctnetlink events): calls the listener's
/// read-once until stopped and queues each record into a bounded channel, counting the records the channel had no
/// room for. A read error other than the socket closing on stop completes the channel with that error.
/// </summary>
internal sealed class NetlinkRecordPump<T>(Action<TimeSpan, Action<T>> readOnce, string threadName)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly Lock _gate = new();
    private Thread? _thread;
    private Channel<T>? _channel;
    private volatile bool _stopping;
    private bool _closed;
    private long _dropped;

    /// <summary>True once <see cref="Start"/> ran: the listener must not be read synchronously any more.</summary>
    public bool Started => Volatile.Read(ref _thread) is not null;

    /// <summary>Records read but not queued because the channel was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Reads once synchronously (only while not <see cref="Start"/>ed); returns how many records were handed on.</summary>
    public int ReadNow(TimeSpan timeout, Action<T> onRecord)
    {
        ArgumentNullException.ThrowIfNull(onRecord);
        if (Started)
        {
            throw new InvalidOperationException("the reader was started: read its channel");
        }

        int count = 0;
        readOnce(timeout, record =>
        {
            count++;
            onRecord(record);
        });
        return count;
    }

    /// <summary>
    /// Starts the thread (once; later calls return the same channel). With <paramref name="coalesce"/> above zero the
    /// thread sleeps that long after every read that yielded records: the kernel queues what arrives meanwhile, and
    /// the next reads drain it back to back, so a steady stream costs a few wake-ups per interval, not one per record.
    /// </summary>
    public ChannelReader<T> Start(int capacity, TimeSpan coalesce = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(T));
            if (_channel is not null)
            {
                return _channel.Reader;
            }

            var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
            _channel = channel;
            var thread = new Thread(() => Loop(channel, coalesce)) { IsBackground = true, Name = threadName };
            thread.Start();
            Volatile.Write(ref _thread, thread);
            return channel.Reader;
        }
    }

    /// <summary>
    /// Once: stops the thread (waiting at most one poll interval plus a read), closes the listener's socket, then
    /// completes the channel so its readers see the end.
    /// </summary>
    public void Close(IDisposable socket)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        _stopping = true;
        _thread?.Join(TimeSpan.FromSeconds(5));
        socket.Dispose();
        _channel?.Writer.TryComplete();
    }

    private void Loop(Channel<T> channel, TimeSpan coalesce)
    {
        long records = 0;
        Action<T> enqueue = record =>
        {
            records++;
            if (!channel.Writer.TryWrite(record))
            {
                Interlocked.Increment(ref _dropped);
            }
        };
        try
        {
            while (!_stopping)
            {
                long before = records;
                readOnce(PollInterval, enqueue);
                if (coalesce > TimeSpan.Zero && records != before && !_stopping)
                {
                    // Batching wake-ups, not timing anything: the records are timestamped by the kernel or not at all.
                    Thread.Sleep(coalesce);
                }
            }
        }
        catch (Exception e) when (e is NetlinkException or ObjectDisposedException or InvalidDataException)
        {
            channel.Writer.TryComplete(_stopping ? null : e);
            return;
        }

        channel.Writer.TryComplete();
    }
}
