using System.Runtime.InteropServices;
using Calico.Linux.Interop;

namespace Calico.Linux.Netlink;

/// <summary>Receives one message of a dump; the span is only valid during the call.</summary>
internal delegate void NetlinkMessageHandler(ushort type, ReadOnlySpan<byte> payload);

/// <summary>
/// A NETLINK_ROUTE socket. It stays bound to the network namespace of the thread that created it, so a socket
/// opened on a thread inside a namespace can be used from any thread afterwards. Requests are synchronous: the
/// kernel answers rtnetlink requests in the sending syscall's context, so there is nothing to wait for
/// asynchronously. Not thread-safe (one request at a time).
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    private const int ReceiveBufferLength = 64 * 1024;
    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferLength, pinned: true);
    private int _fd;
    private uint _sequence;
    private bool _strictChecking;

    private NetlinkSocket(int fd)
    {
        _fd = fd;
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open() => new(NetlinkFd.OpenBound(LibC.NETLINK_ROUTE, "NETLINK_ROUTE"));

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
                if (message.Sequence != sequence)
                {
                    continue;
                }

                if (message.Type == Rtnl.NLMSG_ERROR)
                {
                    return ParseError(message, out detail);
                }
            }
        }
    }

    /// <summary>Sends a dump request (or a get answered by one message) and hands each answer to <paramref name="handler"/>.</summary>
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
                        return ParseError(message, out detail);
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

    private unsafe uint Send(ReadOnlySpan<byte> request)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        uint sequence = HostOrder.ReadUInt32(request[8..]);
        fixed (byte* pointer = request)
        {
            while (true)
            {
                nint sent = LibC.Send(_fd, pointer, (nuint)request.Length, 0);
                if (sent >= 0)
                {
                    return sequence;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    throw new NetlinkException("send(netlink): " + Errno.Describe(errno), errno);
                }
            }
        }
    }

    private unsafe int Receive()
    {
        fixed (byte* pointer = _receiveBuffer)
        {
            while (true)
            {
                nint received = LibC.Recv(_fd, pointer, (nuint)_receiveBuffer.Length, LibC.MSG_TRUNC);
                if (received > _receiveBuffer.Length)
                {
                    throw new NetlinkException($"recv(netlink): message of {received} bytes truncated to {_receiveBuffer.Length}", 90);
                }

                if (received >= 0)
                {
                    return (int)received;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    throw new NetlinkException("recv(netlink): " + Errno.Describe(errno), errno);
                }
            }
        }
    }

    /// <summary>struct nlmsgerr { int error; struct nlmsghdr msg; } then, with NLM_F_ACK_TLVS, extended-ack attributes.</summary>
    private static int ParseError(NetlinkMessage message, out string? detail)
    {
        detail = null;
        ReadOnlySpan<byte> payload = message.Payload;
        if (payload.Length < 4)
        {
            throw new InvalidDataException("short NLMSG_ERROR");
        }

        int errno = -HostOrder.ReadInt32(payload);
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
                }
            }
        }

        return errno;
    }
}
