using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Calico.Datastore.Tests;

internal static class StoreTestHelpers
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    public static CancellationToken Timeout(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>Read-modify-write with CAS, retrying on conflict: the canonical lost-update test.</summary>
    public static async Task IncrementAsync(IKeyValueStore store, string key, int count, CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            while (true)
            {
                KeyValue? current = await store.GetAsync(key, cancellationToken);
                WriteResult result;
                if (current is null)
                {
                    result = await store.CreateAsync(key, Bytes("1"), cancellationToken);
                }
                else
                {
                    long next = long.Parse(Text(current.Value), CultureInfo.InvariantCulture) + 1;
                    result = await store.UpdateAsync(key, Bytes(next.ToString(CultureInfo.InvariantCulture)), current.Revision, cancellationToken);
                }

                if (result.Succeeded)
                {
                    break;
                }

                if (result.Status is not (WriteStatus.Conflict or WriteStatus.AlreadyExists))
                {
                    throw new InvalidOperationException($"unexpected {result.Status} incrementing {key}");
                }
            }
        }
    }

    /// <summary>A 32 KiB value whose last 32 bytes are the SHA-256 of the rest: a torn write cannot verify.</summary>
    public static byte[] Payload(string key)
    {
        byte[] value = new byte[32 * 1024];
        byte[] seed = Bytes(key + ":");
        for (int i = 0; i < value.Length - 32; i++)
        {
            value[i] = seed[i % seed.Length];
        }

        SHA256.HashData(value.AsSpan(0, value.Length - 32), value.AsSpan(value.Length - 32));
        return value;
    }

    public static bool PayloadIsComplete(string key, byte[] value) => value.AsSpan().SequenceEqual(Payload(key));
}
