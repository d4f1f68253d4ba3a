using System.Buffers.Binary;

namespace Calico.Linux.Netlink;

/// <summary>
/// Netlink integers are in the host's byte order (unlike the wire formats of IP); these helpers make that explicit
/// at every read and write. <see cref="BitConverter.IsLittleEndian"/> is a JIT-time constant, so each folds to one move.
/// </summary>
internal static class HostOrder
{
    public static void WriteUInt16(Span<byte> destination, ushort value)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, value);
        }
    }

    public static void WriteUInt32(Span<byte> destination, uint value)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, value);
        }
    }

    public static void WriteInt32(Span<byte> destination, int value) => WriteUInt32(destination, unchecked((uint)value));

    public static ushort ReadUInt16(ReadOnlySpan<byte> source) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(source) : BinaryPrimitives.ReadUInt16BigEndian(source);

    public static uint ReadUInt32(ReadOnlySpan<byte> source) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(source) : BinaryPrimitives.ReadUInt32BigEndian(source);

    public static int ReadInt32(ReadOnlySpan<byte> source) => unchecked((int)ReadUInt32(source));
}
