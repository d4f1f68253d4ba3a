using System.Net;
using System.Text;

namespace Calico.Linux.Netlink;

/// <summary>
/// Builds one netlink request in a caller-provided buffer (usually stackalloc): the header, one fixed family
/// struct, then attributes, with nesting by remembered offsets. Lengths are patched when a message or nest ends.
/// Throws <see cref="ArgumentException"/> when the buffer is too small (a programming error, not a kernel answer).
/// </summary>
internal ref struct NetlinkWriter
{
    private readonly Span<byte> _buffer;
    private int _length;
    private int _messageStart;

    public NetlinkWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _length = 0;
        _messageStart = -1;
    }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    public void BeginMessage(ushort type, ushort flags, uint sequence)
    {
        _messageStart = _length;
        Span<byte> header = Reserve(Rtnl.HeaderLength);
        HostOrder.WriteUInt32(header, 0);
        HostOrder.WriteUInt16(header[4..], type);
        HostOrder.WriteUInt16(header[6..], flags);
        HostOrder.WriteUInt32(header[8..], sequence);
        HostOrder.WriteUInt32(header[12..], 0);
    }

    public void EndMessage()
    {
        if (_messageStart < 0)
        {
            throw new InvalidOperationException("no message begun");
        }

        HostOrder.WriteUInt32(_buffer[_messageStart..], (uint)(_length - _messageStart));
        _messageStart = -1;
    }

    /// <summary>struct ifinfomsg: family, pad, type, index, flags, change.</summary>
    public void WriteIfInfoMsg(byte family, int index, uint flags, uint change)
    {
        Span<byte> span = Reserve(Rtnl.IfInfoMsgLength);
        span[0] = family;
        span[1] = 0;
        HostOrder.WriteUInt16(span[2..], 0);
        HostOrder.WriteInt32(span[4..], index);
        HostOrder.WriteUInt32(span[8..], flags);
        HostOrder.WriteUInt32(span[12..], change);
    }

    /// <summary>struct ifaddrmsg: family, prefixlen, flags, scope, index.</summary>
    public void WriteIfAddrMsg(byte family, byte prefixLength, byte flags, byte scope, int index)
    {
        Span<byte> span = Reserve(Rtnl.IfAddrMsgLength);
        span[0] = family;
        span[1] = prefixLength;
        span[2] = flags;
        span[3] = scope;
        HostOrder.WriteInt32(span[4..], index);
    }

    /// <summary>struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags.</summary>
    public void WriteRtMsg(byte family, byte destinationLength, byte table, byte protocol, byte scope, byte type, uint flags)
    {
        Span<byte> span = Reserve(Rtnl.RtMsgLength);
        span[0] = family;
        span[1] = destinationLength;
        span[2] = 0;
        span[3] = 0;
        span[4] = table;
        span[5] = protocol;
        span[6] = scope;
        span[7] = type;
        HostOrder.WriteUInt32(span[8..], flags);
    }

    /// <summary>struct ndmsg: family, pad, pad, ifindex, state, flags, type.</summary>
    public void WriteNdMsg(byte family, int index, ushort state, byte flags, byte type)
    {
        Span<byte> span = Reserve(Rtnl.NdMsgLength);
        span[0] = family;
        span[1] = 0;
        HostOrder.WriteUInt16(span[2..], 0);
        HostOrder.WriteInt32(span[4..], index);
        HostOrder.WriteUInt16(span[8..], state);
        span[10] = flags;
        span[11] = type;
    }

    public void PutAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        Span<byte> span = Reserve(Rtnl.Align(Rtnl.AttributeHeaderLength + value.Length));
        HostOrder.WriteUInt16(span, (ushort)(Rtnl.AttributeHeaderLength + value.Length));
        HostOrder.WriteUInt16(span[2..], type);
        value.CopyTo(span[Rtnl.AttributeHeaderLength..]);
        span[(Rtnl.AttributeHeaderLength + value.Length)..].Clear();
    }

    public void PutUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        HostOrder.WriteUInt32(bytes, value);
        PutAttribute(type, bytes);
    }

    public void PutInt32(ushort type, int value) => PutUInt32(type, unchecked((uint)value));

    /// <summary>A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND).</summary>
    public void PutString(ushort type, string value)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        Span<byte> span = Reserve(Rtnl.Align(Rtnl.AttributeHeaderLength + byteCount + 1));
        HostOrder.WriteUInt16(span, (ushort)(Rtnl.AttributeHeaderLength + byteCount + 1));
        HostOrder.WriteUInt16(span[2..], type);
        Encoding.UTF8.GetBytes(value, span[Rtnl.AttributeHeaderLength..]);
        span[(Rtnl.AttributeHeaderLength + byteCount)..].Clear();
    }

    /// <summary>An address attribute in network byte order, 4 or 16 bytes.</summary>
    public void PutAddress(ushort type, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            throw new ArgumentException("address does not fit", nameof(address));
        }

        PutAttribute(type, bytes[..written]);
    }

    /// <summary>Starts a nested attribute; pass the result to <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        int start = _length;
        Span<byte> span = Reserve(Rtnl.AttributeHeaderLength);
        HostOrder.WriteUInt16(span, 0);
        HostOrder.WriteUInt16(span[2..], type);
        return start;
    }

    public readonly void EndNested(int start) => HostOrder.WriteUInt16(_buffer[start..], (ushort)(_length - start));

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            throw new ArgumentException($"netlink request needs more than {_buffer.Length} bytes");
        }

        Span<byte> span = _buffer.Slice(_length, count);
        _length += count;
        return span;
    }
}
