using System.Buffers.Binary;
using System.Numerics;

namespace Calico.Selectors.Hashing;

/// <summary>
/// SHA-224 (FIPS 180-4): SHA-256's compression with its own initial values, output truncated to
/// 28 bytes. .NET has no SHA-224 and upstream's selector UIDs (which name ipsets) are built on it.
/// One-shot only: inputs are short selector strings.
/// </summary>
public static class Sha224
{
    public const int HashSizeInBytes = 28;

    private const int BlockSize = 64;

    private static ReadOnlySpan<uint> InitialState =>
    [
        0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4,
    ];

    private static ReadOnlySpan<uint> RoundConstants =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    public static byte[] HashData(ReadOnlySpan<byte> source)
    {
        var hash = new byte[HashSizeInBytes];
        HashData(source, hash);
        return hash;
    }

    public static void HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < HashSizeInBytes)
        {
            throw new ArgumentException($"destination must hold {HashSizeInBytes} bytes", nameof(destination));
        }

        Span<uint> state = stackalloc uint[8];
        InitialState.CopyTo(state);
        Span<uint> schedule = stackalloc uint[64];

        var fullBlocks = source.Length / BlockSize;
        for (var i = 0; i < fullBlocks; i++)
        {
            Compress(state, source.Slice(i * BlockSize, BlockSize), schedule);
        }

        // Padding: 0x80, zeros, then the message length in bits as a big-endian 64-bit integer;
        // one extra block when fewer than 9 bytes are left in the last one.
        var tail = source[(fullBlocks * BlockSize)..];
        Span<byte> last = stackalloc byte[BlockSize * 2];
        last.Clear();
        tail.CopyTo(last);
        last[tail.Length] = 0x80;
        var lastLength = tail.Length + 9 <= BlockSize ? BlockSize : BlockSize * 2;
        BinaryPrimitives.WriteUInt64BigEndian(last.Slice(lastLength - 8, 8), (ulong)source.Length * 8);
        for (var offset = 0; offset < lastLength; offset += BlockSize)
        {
            Compress(state, last.Slice(offset, BlockSize), schedule);
        }

        for (var i = 0; i < 7; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(i * 4, 4), state[i]);
        }
    }

    private static void Compress(Span<uint> state, ReadOnlySpan<byte> block, Span<uint> w)
    {
        for (var t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(t * 4, 4));
        }

        for (var t = 16; t < 64; t++)
        {
            var s0 = BitOperations.RotateRight(w[t - 15], 7) ^ BitOperations.RotateRight(w[t - 15], 18) ^ (w[t - 15] >> 3);
            var s1 = BitOperations.RotateRight(w[t - 2], 17) ^ BitOperations.RotateRight(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3];
        uint e = state[4], f = state[5], g = state[6], h = state[7];
        var k = RoundConstants;
        for (var t = 0; t < 64; t++)
        {
            var sum1 = BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25);
            var choose = (e & f) ^ (~e & g);
            var temp1 = h + sum1 + choose + k[t] + w[t];
            var sum0 = BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22);
            var majority = (a & b) ^ (a & c) ^ (b & c);
            var temp2 = sum0 + majority;
            h = g;
            g = f;
            f = e;
            e = d + temp1;
            d = c;
            c = b;
            b = a;
            a = temp1 + temp2;
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}
