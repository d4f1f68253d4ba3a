namespace Calico.Linux.Netlink;

/// <summary>One netlink message: header fields and the payload after the 16-byte header.</summary>
internal readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        Payload = payload;
    }

    public ushort Type { get; }

    public ushort Flags { get; }

    public uint Sequence { get; }

    public ReadOnlySpan<byte> Payload { get; }
}

/// <summary>Walks the messages of one datagram. A truncated or malformed header ends the walk with an exception.</summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram) => _remaining = datagram;

    public bool TryRead(out NetlinkMessage message)
    {
        if (_remaining.Length < Rtnl.HeaderLength)
        {
            message = default;
            return false;
        }

        int length = checked((int)HostOrder.ReadUInt32(_remaining));
        if (length < Rtnl.HeaderLength || length > _remaining.Length)
        {
            throw new InvalidDataException($"netlink message length {length} outside datagram of {_remaining.Length} bytes");
        }

        message = new NetlinkMessage(
            HostOrder.ReadUInt16(_remaining[4..]),
            HostOrder.ReadUInt16(_remaining[6..]),
            HostOrder.ReadUInt32(_remaining[8..]),
            _remaining[Rtnl.HeaderLength..length]);
        int advance = Math.Min(Rtnl.Align(length), _remaining.Length);
        _remaining = _remaining[advance..];
        return true;
    }
}

/// <summary>Walks the rtattrs of a payload region; the type has NLA_F_NESTED and byte-order bits masked off.</summary>
internal ref struct AttributeReader
{
    private ReadOnlySpan<byte> _remaining;

    public AttributeReader(ReadOnlySpan<byte> attributes) => _remaining = attributes;

    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        if (_remaining.Length < Rtnl.AttributeHeaderLength)
        {
            type = 0;
            value = default;
            return false;
        }

        int length = HostOrder.ReadUInt16(_remaining);
        if (length < Rtnl.AttributeHeaderLength || length > _remaining.Length)
        {
            throw new InvalidDataException($"rtattr length {length} outside region of {_remaining.Length} bytes");
        }

        type = (ushort)(HostOrder.ReadUInt16(_remaining[2..]) & Rtnl.NLA_TYPE_MASK);
        value = _remaining[Rtnl.AttributeHeaderLength..length];
        _remaining = _remaining[Math.Min(Rtnl.Align(length), _remaining.Length)..];
        return true;
    }

    /// <summary>A NUL-terminated string value without its terminator.</summary>
    public static string ReadString(ReadOnlySpan<byte> value)
    {
        int end = value.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
    }
}
