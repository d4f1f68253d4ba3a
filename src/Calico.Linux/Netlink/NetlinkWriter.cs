using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Calico.Linux.Netlink;

/// <summary>
/// Builds netlink messages for any protocol into one buffer that grows and is reused between requests: a single
/// rtnetlink request, or an nfnetlink batch of thousands of messages. Each message is a header, one fixed family struct
/// (<see cref="WriteIfInfoMsg"/>, <see cref="WriteRtMsg"/>, <see cref="WriteNfGenMsg"/> …) and attributes, nested by
/// remembered offsets; lengths are patched when a message or nest ends. rtnetlink integers are in host order,
/// nf_tables ones big-endian (<see cref="PutBigEndianUInt32"/>). Nests are marked as each protocol's own tools send
/// them: NLA_F_NESTED for netfilter (libmnl, nft), none for route (iproute2). Not thread-safe.
/// </summary>
internal sealed class NetlinkWriter
{
    private readonly ushort _nestedFlag;
    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;

    public NetlinkWriter(NetlinkProtocol protocol, int initialCapacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapacity);
        _nestedFlag = protocol == NetlinkProtocol.Netfilter ? Rtnl.NLA_F_NESTED : (ushort)0;
        _buffer = new byte[initialCapacity];
    }

    public int Length => _length;

    /// <summary>The bytes written since the last <see cref="Reset"/>; valid until the next write.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Starts over, keeping the buffer.</summary>
    public void Reset()
    {
        _length = 0;
        _messageStart = -1;
    }

    /// <summary>The netlink header (length patched by <see cref="EndMessage"/>); returns the message's offset.</summary>
    public int BeginMessage(ushort type, ushort flags, uint sequence)
    {
        _messageStart = _length;
        Span<byte> header = Reserve(Rtnl.HeaderLength);
        HostOrder.WriteUInt32(header, 0);
        HostOrder.WriteUInt16(header[4..], type);
        HostOrder.WriteUInt16(header[6..], flags);
        HostOrder.WriteUInt32(header[8..], sequence);
        HostOrder.WriteUInt32(header[12..], 0);
        return _messageStart;
    }

    /// <summary>An nfnetlink message: the header and its nfgenmsg (<see cref="WriteNfGenMsg"/>); returns the message's offset.</summary>
    public int BeginMessage(ushort type, ushort flags, uint sequence, byte family, ushort resourceId)
    {
        int start = BeginMessage(type, flags, sequence);
        WriteNfGenMsg(family, resourceId);
        return start;
    }

    public void EndMessage()
    {
        if (_messageStart < 0)
        {
            throw new InvalidOperationException("no message begun");
        }

        HostOrder.WriteUInt32(_buffer.AsSpan(_messageStart), (uint)(_length - _messageStart));
        _messageStart = -1;
    }

    /// <summary>struct nfgenmsg: family, version (NFNETLINK_V0), res_id (big-endian on the wire).</summary>
    public void WriteNfGenMsg(byte family, ushort resourceId)
    {
        Span<byte> span = Reserve(Interop.NfNetlink.NfGenMsgLength);
        span[0] = family;
        span[1] = Interop.NfNetlink.NFNETLINK_V0;
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], resourceId);
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

    /// <summary>An attribute with <paramref name="value"/> copied once, padded to 4 bytes; returns its offset.</summary>
    public int PutAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        int start = _length;
        int attributeLength = Rtnl.AttributeHeaderLength + value.Length;
        Span<byte> span = Reserve(Rtnl.Align(attributeLength));
        HostOrder.WriteUInt16(span, (ushort)attributeLength);
        HostOrder.WriteUInt16(span[2..], type);
        value.CopyTo(span[Rtnl.AttributeHeaderLength..]);
        span[attributeLength..].Clear();
        return start;
    }

    /// <summary>A u32 in host order (rtnetlink).</summary>
    public void PutUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        HostOrder.WriteUInt32(bytes, value);
        PutAttribute(type, bytes);
    }

    public void PutInt32(ushort type, int value) => PutUInt32(type, unchecked((uint)value));

    /// <summary>A __be32 (nf_tables).</summary>
    public void PutBigEndianUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        PutAttribute(type, bytes);
    }

    /// <summary>A NUL-terminated string attribute (IFLA_IFNAME, NFTA_TABLE_NAME …); returns its offset.</summary>
    public int PutString(ushort type, string value)
    {
        int start = _length;
        int byteCount = Encoding.UTF8.GetByteCount(value);
        int attributeLength = Rtnl.AttributeHeaderLength + byteCount + 1;
        Span<byte> span = Reserve(Rtnl.Align(attributeLength));
        HostOrder.WriteUInt16(span, (ushort)attributeLength);
        HostOrder.WriteUInt16(span[2..], type);
        Encoding.UTF8.GetBytes(value, span[Rtnl.AttributeHeaderLength..]);
        span[(Rtnl.AttributeHeaderLength + byteCount)..].Clear();
        return start;
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

    /// <summary>Starts a nest (NLA_F_NESTED for netfilter); returns its offset for <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        int start = _length;
        Span<byte> span = Reserve(Rtnl.AttributeHeaderLength);
        HostOrder.WriteUInt16(span, 0);
        HostOrder.WriteUInt16(span[2..], (ushort)(type | _nestedFlag));
        return start;
    }

    public void EndNested(int start)
    {
        int length = _length - start;
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"netlink attribute of {length} bytes exceeds the 16-bit length field");
        }

        HostOrder.WriteUInt16(_buffer.AsSpan(start), (ushort)length);
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
