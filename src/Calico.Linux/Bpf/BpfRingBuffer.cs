using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Calico.Linux.Interop;

namespace Calico.Linux.Bpf;

/// <summary>Called with one ring buffer record (valid only during the call).</summary>
public delegate void BpfRingRecordHandler(ReadOnlySpan<byte> record);

/// <summary>
/// A consumer of a <c>BPF_MAP_TYPE_RINGBUF</c> map through libbpf's <c>ring_buffer__new</c> / <c>ring_buffer__poll</c>
/// (libbpf mmaps the ring, follows the producer and consumer positions, skips discarded records, and waits with
/// epoll; the program's default wake-up is adaptive: only when this consumer has caught up). Records are handed to
/// the handler on the polling thread, in the ring's order. One thread at a time; not thread-safe.
/// </summary>
public sealed unsafe class BpfRingBuffer : IDisposable
{
    private readonly BpfMap _map;
    private readonly BpfRingRecordHandler _handler;
    private GCHandle _self;
    private nint _ring;
    private Exception? _failed;

    private BpfRingBuffer(BpfMap map, BpfRingRecordHandler handler)
    {
        _map = map;
        _handler = handler;
    }

    /// <summary>Consumes <paramref name="map"/> (a ring buffer, kept open by the caller while this lives).</summary>
    public static BpfRingBuffer Open(BpfMap map, BpfRingRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(handler);
        var reader = new BpfRingBuffer(map, handler);
        reader._self = GCHandle.Alloc(reader);
        long mark = LibbpfMessages.Mark();
        reader._ring = Libbpf.RingBufferNew(map.Fd, &OnRecord, GCHandle.ToIntPtr(reader._self), 0);
        if (reader._ring == 0)
        {
            int errno = Marshal.GetLastSystemError();
            reader._self.Free();
            throw BpfException.From($"ring_buffer__new on BPF map {map.Name}", -(errno == 0 ? 22 : errno), mark);
        }

        return reader;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for records and hands every one there to the handler; the number handled.</summary>
    public int Poll(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_ring == 0, this);
        int ms = (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        return Check(Libbpf.RingBufferPoll(_ring, ms), "ring_buffer__poll");
    }

    /// <summary>Hands every record there now to the handler, without waiting; the number handled.</summary>
    public int Consume()
    {
        ObjectDisposedException.ThrowIf(_ring == 0, this);
        return Check(Libbpf.RingBufferConsume(_ring), "ring_buffer__consume");
    }

    private int Check(int result, string call)
    {
        if (_failed is { } failed)
        {
            _failed = null;
            ExceptionDispatchInfo.Throw(failed);
        }

        const int Eintr = 4;
        if (result == -Eintr)
        {
            return 0;
        }

        return result >= 0 ? result : throw new BpfException($"{call} on BPF map {_map.Name}: {Errno.Describe(-result)}", -result);
    }

    [UnmanagedCallersOnly]
    private static int OnRecord(nint context, nint data, nuint size)
    {
        var self = (BpfRingBuffer)GCHandle.FromIntPtr(context).Target!;
        try
        {
            self._handler(new ReadOnlySpan<byte>((void*)data, checked((int)size)));
            return 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never across the native frame: kept, consumption stopped (non-zero), rethrown by Poll/Consume.
            self._failed = e;
            return -1;
        }
    }

    public void Dispose()
    {
        if (_ring != 0)
        {
            Libbpf.RingBufferFree(_ring);
            _ring = 0;
            _self.Free();
        }
    }
}
