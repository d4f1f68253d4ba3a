using System.Buffers.Binary;
using System.Text;
using Calico.Linux.Netlink;

namespace Calico.Linux.Interop;

/// <summary>
/// Builds one nfnetlink batch (several messages, each a netlink header, an nfgenmsg and attributes) in a buffer that
/// grows and is reused between batches: a batch of 10,000 element changes is far beyond the stackalloc requests of
/// rtnetlink. Lengths are patched when a message or nest ends. Integers inside nf_tables attributes are big-endian.
/// </summary>
internal sealed class NfNetlinkBatchWriter
{
    private byte[] _buffer = new byte[4096];
    private int _length;
    private int _messageStart = -1;

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Reset()
    {
        _length = 0;
        _messageStart = -1;
    }

    /// <summary>Header and nfgenmsg; <paramref name="resourceId"/> is the nfgenmsg res_id (big-endian on the wire).</summary>
    public int BeginMessage(ushort type, ushort flags, uint sequence, byte family, ushort resourceId)
    {
        _messageStart = _length;
        Span<byte> header = Reserve(Rtnl.HeaderLength + NfNetlink.NfGenMsgLength);
        HostOrder.WriteUInt32(header, 0);
        HostOrder.WriteUInt16(header[4..], type);
        HostOrder.WriteUInt16(header[6..], flags);
        HostOrder.WriteUInt32(header[8..], sequence);
        HostOrder.WriteUInt32(header[12..], 0);
        header[16] = family;
        header[17] = NfNetlink.NFNETLINK_V0;
        BinaryPrimitives.WriteUInt16BigEndian(header[18..], resourceId);
        return _messageStart;
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

    /// <summary>A NUL-terminated string attribute; returns its offset in the batch.</summary>
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

    public void PutBigEndianUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        PutAttribute(type, bytes);
    }

    public void PutAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        int attributeLength = Rtnl.AttributeHeaderLength + value.Length;
        Span<byte> span = Reserve(Rtnl.Align(attributeLength));
        HostOrder.WriteUInt16(span, (ushort)attributeLength);
        HostOrder.WriteUInt16(span[2..], type);
        value.CopyTo(span[Rtnl.AttributeHeaderLength..]);
        span[attributeLength..].Clear();
    }

    /// <summary>Starts a nest (NLA_F_NESTED set, as nft sends it); returns its offset for <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        int start = _length;
        Span<byte> span = Reserve(Rtnl.AttributeHeaderLength);
        HostOrder.WriteUInt16(span, 0);
        HostOrder.WriteUInt16(span[2..], (ushort)(type | Rtnl.NLA_F_NESTED));
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
