using System.Runtime.InteropServices;
using Calico.Linux.Netlink;

namespace Calico.Linux.Interop;

/// <summary>
/// A NETLINK_NETFILTER socket that sends one nfnetlink batch per call and collects the answers. The kernel
/// processes a batch inside the sending syscall (commit or abort included) and queues every answer before send
/// returns, so the answers are read without blocking until the queue is empty: nothing to wait for, and a
/// missing answer is detected instead of hanging. Stays in the namespace of the thread that opened it.
/// Not thread-safe.
/// </summary>
internal sealed class NfNetlinkSocket : IDisposable
{
    private const int ReceiveBufferLength = 64 * 1024;
    private const int DefaultKernelBuffer = 208 * 1024;

    /// <summary>An answer is one skb per message; the kernel charges its truesize (~1 KiB for a small skb) to the receive buffer.</summary>
    private const int KernelBytesPerAnswer = 1024;

    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferLength, pinned: true);
    private int _fd;
    private uint _sequence;
    private int _sendBuffer = DefaultKernelBuffer;
    private int _kernelReceiveBuffer = DefaultKernelBuffer;

    private NfNetlinkSocket(int fd)
    {
        _fd = fd;
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static NfNetlinkSocket Open() =>
        // Capped acks keep an error from echoing a whole multi-kilobyte batch message back.
        new(NetlinkFd.OpenBound(NfNetlink.NETLINK_NETFILTER, "NETLINK_NETFILTER", [NfNetlink.NETLINK_CAP_ACK]));

    public uint NextSequence() => unchecked(++_sequence);

    /// <summary>
    /// Sends <paramref name="batch"/> in one syscall (one skb: nfnetlink only treats a batch as one transaction
    /// within one skb) and returns the answers whose sequence lies in [<paramref name="firstSequence"/>,
    /// <paramref name="lastSequence"/>], in arrival order. Older answers left by an earlier call are skipped.
    /// </summary>
    public List<NfNetlinkAck> SendBatch(ReadOnlySpan<byte> batch, int messageCount, uint firstSequence, uint lastSequence)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        EnsureKernelBuffers(batch.Length, messageCount);
        Send(batch);
        var answers = new List<NfNetlinkAck>(messageCount);
        while (TryReceive(out int received))
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

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = LibC.Close(fd);
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
            if (LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, NfNetlink.SO_SNDBUFFORCE, &value, sizeof(int)) != 0)
            {
                _ = LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, &value, sizeof(int));
            }

            _sendBuffer = sendWanted;
        }

        int receiveWanted = (messageCount * KernelBytesPerAnswer) + ReceiveBufferLength;
        if (receiveWanted > _kernelReceiveBuffer)
        {
            int value = receiveWanted;
            if (LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, NfNetlink.SO_RCVBUFFORCE, &value, sizeof(int)) != 0)
            {
                _ = LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, &value, sizeof(int));
            }

            _kernelReceiveBuffer = receiveWanted;
        }
    }

    private unsafe void Send(ReadOnlySpan<byte> batch)
    {
        fixed (byte* pointer = batch)
        {
            while (true)
            {
                nint sent = LibC.Send(_fd, pointer, (nuint)batch.Length, 0);
                if (sent >= 0)
                {
                    return;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    throw new NetlinkException($"send(netlink, nf_tables batch of {batch.Length} bytes): " + Errno.Describe(errno), errno);
                }
            }
        }
    }

    /// <summary>False once nothing more is queued (EAGAIN).</summary>
    private unsafe bool TryReceive(out int received)
    {
        fixed (byte* pointer = _receiveBuffer)
        {
            while (true)
            {
                nint count = LibC.Recv(_fd, pointer, (nuint)_receiveBuffer.Length, LibC.MSG_TRUNC | NfNetlink.MSG_DONTWAIT);
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
                if (errno == NfNetlink.EAGAIN)
                {
                    received = 0;
                    return false;
                }

                if (errno != LibC.EINTR)
                {
                    // ENOBUFS: answers were dropped, so the outcome of the batch cannot be known from them.
                    throw new NetlinkException("recv(netlink, nf_tables answers): " + Errno.Describe(errno), errno);
                }
            }
        }
    }

    /// <summary>struct nlmsgerr { int error; struct nlmsghdr msg; } then extended-ack attributes (message text, offset).</summary>
    private static NfNetlinkAck ParseError(NetlinkMessage message)
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
                    else if (type == NfNetlink.NLMSGERR_ATTR_OFFS && value.Length >= 4)
                    {
                        attributeOffset = (int)HostOrder.ReadUInt32(value);
                    }
                }
            }
        }

        return new NfNetlinkAck(message.Sequence, errno, attributeOffset, detail);
    }
}
