using System.Runtime.InteropServices;
using Calico.Linux.Interop;

namespace Calico.Linux.Netlink;

/// <summary>
/// Reading a stream of kernel messages (nfnetlink_log packets, ctnetlink events): one datagram at a time with a
/// timeout, every message handed over, and the kernel's overflow (ENOBUFS: it dropped messages because the socket's
/// queue was full) reported instead of thrown, so the reader counts it and goes on.
/// </summary>
internal sealed partial class NetlinkSocket
{
    /// <summary><see cref="ReceiveStream"/>'s answer when the kernel dropped messages (queue overflow).</summary>
    public const int Overflowed = -1;

    private long _streamTimeoutMicros = -1;

    /// <summary>Sends a request without waiting for an answer (e.g. one whose ack a stream reader will skip).</summary>
    public void SendRequest(ReadOnlySpan<byte> request) => Send(request);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for one datagram and hands each message in it to
    /// <paramref name="handler"/>; returns the number of messages (0 on timeout) or <see cref="Overflowed"/>.
    /// </summary>
    public unsafe int ReceiveStream(TimeSpan timeout, NetlinkMessageHandler handler)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        long micros = Math.Max(1000, (long)timeout.TotalMicroseconds);
        if (micros != _streamTimeoutMicros)
        {
            long* timeval = stackalloc long[2];
            timeval[0] = micros / 1_000_000;
            timeval[1] = micros % 1_000_000;
            _ = LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, 2 * sizeof(long));
            _streamTimeoutMicros = micros;
        }

        fixed (byte* pointer = _receiveBuffer)
        {
            while (true)
            {
                nint count = LibC.Recv(_fd, pointer, (nuint)_receiveBuffer.Length, 0);
                if (count < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EINTR)
                    {
                        continue;
                    }

                    if (errno == LibC.ENOBUFS)
                    {
                        return Overflowed;
                    }

                    if (errno == LibC.EAGAIN)
                    {
                        return 0;
                    }

                    throw new NetlinkException("recv(netlink stream): " + Errno.Describe(errno), errno);
                }

                int messages = 0;
                var reader = new NetlinkMessageReader(_receiveBuffer.AsSpan(0, (int)count));
                while (reader.TryRead(out NetlinkMessage message))
                {
                    if (message.Type is Rtnl.NLMSG_ERROR or Rtnl.NLMSG_NOOP or Rtnl.NLMSG_DONE)
                    {
                        continue;
                    }

                    handler(message.Type, message.Payload);
                    messages++;
                }

                return messages;
            }
        }
    }

    /// <summary>Asks for a kernel receive queue of <paramref name="bytes"/> (FORCE as root, past rmem_max).</summary>
    public unsafe void SetKernelReceiveBuffer(int bytes)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        int value = bytes;
        if (LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &value, sizeof(int)) != 0)
        {
            _ = LibC.SetSockOpt(_fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, &value, sizeof(int));
        }

        _kernelReceiveBuffer = Math.Max(_kernelReceiveBuffer, bytes);
    }
}
