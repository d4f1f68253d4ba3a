using System.Runtime.InteropServices;
using Calico.Linux.Interop;

namespace Calico.Linux.Netlink;

/// <summary>Receives one message of a dump; the span is only valid during the call.</summary>
internal delegate void NetlinkMessageHandler(ushort type, ReadOnlySpan<byte> payload);

/// <summary>
/// An AF_NETLINK socket of one protocol (NETLINK_ROUTE for rtnetlink, NETLINK_NETFILTER for nf_tables). It stays bound
/// to the network namespace of the thread that created it, so a socket opened on a thread inside a namespace (see
/// <see cref="OpenInAsync"/>) can be used from any thread afterwards. Everything is synchronous: the kernel answers a
/// request, and processes a whole nfnetlink batch (commit or abort included), inside the sending syscall, so there is
/// nothing to wait for asynchronously. Three exchanges: a request acked or refused (<see cref="TryExecute"/>), a dump
/// (<see cref="Dump"/>), a batch whose per-message answers are collected (<see cref="SendBatch"/>). Not thread-safe
/// (one exchange at a time).
/// </summary>
internal sealed partial class NetlinkSocket : IDisposable
{
    private const int ReceiveBufferLength = 64 * 1024;
    private const int DefaultKernelBuffer = 208 * 1024;

    /// <summary>An answer is one skb per message; the kernel charges its truesize (~1 KiB for a small skb) to the receive buffer.</summary>
    private const int KernelBytesPerAnswer = 1024;

    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferLength, pinned: true);
    private int _fd;
    private uint _sequence;
    private bool _strictChecking;
    private int _sendBuffer = DefaultKernelBuffer;
    private int _kernelReceiveBuffer = DefaultKernelBuffer;

    private NetlinkSocket(int fd, NetlinkProtocol protocol)
    {
        _fd = fd;
        Protocol = protocol;
        _sequence = (uint)Environment.TickCount;
    }

    public NetlinkProtocol Protocol { get; }

    /// <summary>
    /// Opens a bound socket in the calling thread's network namespace, with extended acks on (the kernel's own
    /// explanation of a refusal; best effort) and, for netfilter, capped acks (an error does not echo a whole
    /// multi-kilobyte batch message back).
    /// </summary>
    /// <param name="groups">Multicast groups to join (nl_groups bits, e.g. RTMGRP_IPV4_IFADDR): the socket then also
    /// receives the kernel's notifications, read with <see cref="ReceiveNotifications"/>.</param>
    public static unsafe NetlinkSocket Open(NetlinkProtocol protocol, uint groups = 0)
    {
        string name = protocol == NetlinkProtocol.Netfilter ? "NETLINK_NETFILTER" : "NETLINK_ROUTE";
        int fd = LibC.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, (int)protocol);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new NetlinkException($"socket(AF_NETLINK, {name}): " + Errno.Describe(errno), errno);
        }

        try
        {
            // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
            byte* address = stackalloc byte[12];
            new Span<byte>(address, 12).Clear();
            HostOrder.WriteUInt16(new Span<byte>(address, 2), LibC.AF_NETLINK);
            HostOrder.WriteUInt32(new Span<byte>(address + 8, 4), groups);
            if (LibC.Bind(fd, address, 12) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new NetlinkException($"bind(AF_NETLINK, {name}): " + Errno.Describe(errno), errno);
            }

            int one = 1;
            _ = LibC.SetSockOpt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, &one, sizeof(int));
            if (protocol == NetlinkProtocol.Netfilter)
            {
                _ = LibC.SetSockOpt(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, &one, sizeof(int));
            }

            return new NetlinkSocket(fd, protocol);
        }
        catch
        {
            _ = LibC.Close(fd);
            throw;
        }
    }

    /// <summary>Opens a socket inside the namespace at <paramref name="netnsPath"/> (from a dedicated thread).</summary>
    public static Task<NetlinkSocket> OpenInAsync(NetlinkProtocol protocol, string netnsPath, CancellationToken cancellationToken) =>
        NetworkNamespace.RunInAsync(netnsPath, () => Open(protocol), cancellationToken);

    /// <summary>
    /// Turns on NETLINK_GET_STRICT_CHK so the kernel filters dumps by the header's table/protocol/type and RTA_OIF
    /// (and rejects malformed get requests). Off by default because it is a per-socket mode; false when the kernel
    /// does not know it (before 4.20), in which case callers filter what they read.
    /// </summary>
    public unsafe bool EnableStrictChecking()
    {
        if (_strictChecking)
        {
            return true;
        }

        int one = 1;
        _strictChecking = LibC.SetSockOpt(_fd, LibC.SOL_NETLINK, LibC.NETLINK_GET_STRICT_CHK, &one, sizeof(int)) == 0;
        return _strictChecking;
    }

    public uint NextSequence() => unchecked(++_sequence);

    /// <summary>Sends a request built with NLM_F_ACK and throws <see cref="NetlinkException"/> unless the kernel acks it.</summary>
    public void Execute(ReadOnlySpan<byte> request, string operation)
    {
        int errno = TryExecute(request, out string? detail);
        if (errno != 0)
        {
            throw Failure(operation, errno, detail);
        }
    }

    /// <summary>Sends a request built with NLM_F_ACK; returns 0 or the positive errno the kernel answered.</summary>
    public int TryExecute(ReadOnlySpan<byte> request, out string? detail)
    {
        uint sequence = Send(request);
        while (true)
        {
            int received = Receive();
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
            while (reader.TryRead(out NetlinkMessage message))
            {
                if (message.Sequence == sequence && message.Type == Rtnl.NLMSG_ERROR)
                {
                    NetlinkAck ack = ParseError(message);
                    detail = ack.Detail;
                    return ack.Errno;
                }
            }
        }
    }

    /// <summary>
    /// Sends a dump request (or a get answered by one message) and hands each answer to <paramref name="handler"/>;
    /// returns 0 at NLMSG_DONE (or after a single answer) or the positive errno the kernel answered.
    /// </summary>
    public int Dump(ReadOnlySpan<byte> request, NetlinkMessageHandler handler, out string? detail)
    {
        uint sequence = Send(request);
        detail = null;
        while (true)
        {
            int received = Receive();
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
            while (reader.TryRead(out NetlinkMessage message))
            {
                if (message.Sequence != sequence)
                {
                    continue;
                }

                switch (message.Type)
                {
                    case Rtnl.NLMSG_DONE:
                        return 0;
                    case Rtnl.NLMSG_ERROR:
                        NetlinkAck ack = ParseError(message);
                        detail = ack.Detail;
                        return ack.Errno;
                    case Rtnl.NLMSG_NOOP:
                        continue;
                    default:
                        handler(message.Type, message.Payload);
                        if ((message.Flags & Rtnl.NLM_F_MULTI) == 0)
                        {
                            return 0;
                        }

                        break;
                }
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="batch"/> in one syscall (one skb: nfnetlink only treats a batch as one transaction
    /// within one skb) and returns the answers whose sequence lies in [<paramref name="firstSequence"/>,
    /// <paramref name="lastSequence"/>], in arrival order. Every answer is queued before send returns, so they are
    /// read without blocking until the queue is empty: a missing answer is detected instead of hanging. Older
    /// answers left by an earlier call are skipped.
    /// </summary>
    public List<NetlinkAck> SendBatch(ReadOnlySpan<byte> batch, int messageCount, uint firstSequence, uint lastSequence)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        EnsureKernelBuffers(batch.Length, messageCount);
        SendAll(batch, "nf_tables batch");
        var answers = new List<NetlinkAck>(messageCount);
        while (TryReceiveQueued(out int received))
        {
            var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, received));
            while (reader.TryRead(out NetlinkMessage message))
            {
                if (message.Type == Rtnl.NLMSG_ERROR && unchecked(message.Sequence - firstSequence) <= unchecked(lastSequence - firstSequence))
                {
                    answers.Add(ParseError(message));
                }
            }
        }

        return answers;
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for notifications (a socket opened with groups) and reads everything queued:
    /// the message types read (empty on timeout), or null when the kernel dropped some because the queue overflowed
    /// (ENOBUFS): the caller then reads the state it follows again.
    /// </summary>
    public unsafe List<ushort>? ReceiveNotifications(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        long micros = Math.Max(1000, (long)timeout.TotalMicroseconds);
        long* timeval = stackalloc long[2];
        timeval[0] = micros / 1_000_000;
        timeval[1] = micros % 1_000_000;
        _ = LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, 2 * sizeof(long));
        var types = new List<ushort>();
        int flags = 0;
        fixed (byte* pointer = _receiveBuffer)
        {
            while (true)
            {
                nint count = LibC.Recv(_fd, pointer, (nuint)_receiveBuffer.Length, flags);
                if (count < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EINTR)
                    {
                        continue;
                    }

                    if (errno == LibC.ENOBUFS)
                    {
                        return null;
                    }

                    if (errno == LibC.EAGAIN)
                    {
                        return types;
                    }

                    throw new NetlinkException("recv(netlink notifications): " + Errno.Describe(errno), errno);
                }

                var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, (int)count));
                while (reader.TryRead(out NetlinkMessage message))
                {
                    types.Add(message.Type);
                }

                flags = LibC.MSG_DONTWAIT; // the first one waited; the rest of the queue is read without waiting
            }
        }
    }

    public static NetlinkException Failure(string operation, int errno, string? detail) =>
        new(detail is null ? $"{operation}: {Errno.Describe(errno)}" : $"{operation}: {Errno.Describe(errno)}: {detail}", errno);

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = LibC.Close(fd);
        }
    }

    /// <summary>struct nlmsgerr { int error; struct nlmsghdr msg; } then, with NLM_F_ACK_TLVS, extended-ack attributes (text, offset).</summary>
    internal static NetlinkAck ParseError(NetlinkMessage message)
    {
        ReadOnlySpan<byte> payload = message.Payload;
        if (payload.Length < 4)
        {
            throw new InvalidDataException("short NLMSG_ERROR");
        }

        int errno = -HostOrder.ReadInt32(payload);
        string? detail = null;
        int attributeOffset = -1;
        if ((message.Flags & Rtnl.NLM_F_ACK_TLVS) != 0 && payload.Length >= 4 + Rtnl.HeaderLength)
        {
            int offset = 4 + Rtnl.HeaderLength;
            if ((message.Flags & Rtnl.NLM_F_CAPPED) == 0)
            {
                offset = 4 + Rtnl.Align((int)HostOrder.ReadUInt32(payload[4..]));
            }

            if (offset < payload.Length)
            {
                var attributes = new AttributeReader(payload[offset..]);
                while (attributes.TryRead(out ushort type, out ReadOnlySpan<byte> value))
                {
                    if (type == Rtnl.NLMSGERR_ATTR_MSG)
                    {
                        detail = AttributeReader.ReadString(value);
                    }
                    else if (type == Rtnl.NLMSGERR_ATTR_OFFS && value.Length >= 4)
                    {
                        attributeOffset = (int)HostOrder.ReadUInt32(value);
                    }
                }
            }
        }

        return new NetlinkAck(message.Sequence, errno, attributeOffset, detail);
    }

    private uint Send(ReadOnlySpan<byte> request)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        uint sequence = HostOrder.ReadUInt32(request[8..]);
        SendAll(request, null);
        return sequence;
    }

    private unsafe void SendAll(ReadOnlySpan<byte> bytes, string? what)
    {
        fixed (byte* pointer = bytes)
        {
            while (true)
            {
                nint sent = LibC.Send(_fd, pointer, (nuint)bytes.Length, 0);
                if (sent >= 0)
                {
                    return;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    string target = what is null ? "netlink" : $"netlink, {what} of {bytes.Length} bytes";
                    throw new NetlinkException($"send({target}): " + Errno.Describe(errno), errno);
                }
            }
        }
    }

    /// <summary>Waits for the next datagram.</summary>
    private int Receive()
    {
        TryReceive(0, "recv(netlink): ", out int received);
        return received;
    }

    /// <summary>The next queued datagram; false once nothing more is queued (EAGAIN).</summary>
    private bool TryReceiveQueued(out int received) => TryReceive(LibC.MSG_DONTWAIT, "recv(netlink, nf_tables answers): ", out received);

    private unsafe bool TryReceive(int flags, string failure, out int received)
    {
        fixed (byte* pointer = _receiveBuffer)
        {
            while (true)
            {
                nint count = LibC.Recv(_fd, pointer, (nuint)_receiveBuffer.Length, LibC.MSG_TRUNC | flags);
                if (count > _receiveBuffer.Length)
                {
                    throw new NetlinkException($"recv(netlink): message of {count} bytes truncated to {_receiveBuffer.Length}", 90);
                }

                if (count >= 0)
                {
                    received = (int)count;
                    return true;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EAGAIN && (flags & LibC.MSG_DONTWAIT) != 0)
                {
                    received = 0;
                    return false;
                }

                if (errno != LibC.EINTR)
                {
                    // ENOBUFS on a batch: answers were dropped, so its outcome cannot be known from them.
                    throw new NetlinkException(failure + Errno.Describe(errno), errno);
                }
            }
        }
    }

    /// <summary>
    /// netlink refuses a send larger than the socket's send buffer (EMSGSIZE) and drops answers that overflow the
    /// receive buffer (ENOBUFS), so both grow with the batch. The FORCE options pass rmem_max/wmem_max as root
    /// (CAP_NET_ADMIN); the plain ones are the fallback. The kernel doubles what it is given.
    /// </summary>
    private unsafe void EnsureKernelBuffers(int batchLength, int messageCount)
    {
        int sendWanted = batchLength + 4096;
        if (sendWanted > _sendBuffer)
        {
            int value = sendWanted;
            if (LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, &value, sizeof(int)) != 0)
            {
                _ = LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, &value, sizeof(int));
            }

            _sendBuffer = sendWanted;
        }

        int receiveWanted = (messageCount * KernelBytesPerAnswer) + ReceiveBufferLength;
        if (receiveWanted > _kernelReceiveBuffer)
        {
            int value = receiveWanted;
            if (LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &value, sizeof(int)) != 0)
            {
                _ = LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, &value, sizeof(int));
            }

            _kernelReceiveBuffer = receiveWanted;
        }
    }
}
