using System.Runtime.InteropServices;
using System.Text;
using Calico.Linux.Interop;

namespace Calico.Linux.Bpf;

/// <summary>
/// libbpf's own messages (the verifier's log of a program that failed to load among them), formatted with libc's
/// vsnprintf from libbpf's va_list and kept, warnings only, so a failed call can say why. libbpf's print hook is
/// process-wide and not thread-safe to set: it is installed once, before the first object is opened.
/// </summary>
public static class LibbpfMessages
{
    private const int Kept = 64;
    private static readonly Lock Gate = new();
    private static readonly Queue<string> Recent = new();
    private static int _installed;

    /// <summary>Called with every warning as it arrives (e.g. to forward to the node's log); may be null.</summary>
    public static Action<string>? OnWarning { get; set; }

    internal static unsafe void EnsureInstalled()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
            Libbpf.SetPrint(&Print);
        }
    }

    /// <summary>Warnings since <paramref name="mark"/> (from <see cref="Mark"/>), joined for an error message.</summary>
    internal static string Since(long mark)
    {
        lock (Gate)
        {
            var skip = (int)Math.Max(0, mark - (_total - Recent.Count));
            return string.Join("\n", Recent.Skip(skip)).Trim();
        }
    }

    /// <summary>
    /// Warnings since <paramref name="mark"/> that contain <paramref name="mentioning"/> (e.g. <c>'calico_from_wl'</c>,
    /// as libbpf names a program in each of its messages): one load's among others running in parallel.
    /// </summary>
    internal static string Since(long mark, string mentioning)
    {
        lock (Gate)
        {
            var skip = (int)Math.Max(0, mark - (_total - Recent.Count));
            return string.Join("\n", Recent.Skip(skip).Where(m => m.Contains(mentioning, StringComparison.Ordinal))).Trim();
        }
    }

    internal static long Mark()
    {
        lock (Gate)
        {
            return _total;
        }
    }

    private static long _total;

    [UnmanagedCallersOnly]
    private static unsafe int Print(int level, nint format, nint arguments)
    {
        if (level != 0)
        {
            return 0; // LIBBPF_INFO and LIBBPF_DEBUG: per-section chatter nobody acts on.
        }

        const int size = 16 * 1024;
        var buffer = (byte*)NativeMemory.Alloc(size);
        try
        {
            var written = Libbpf.VsnPrintf(buffer, size, format, arguments);
            var text = Encoding.UTF8.GetString(buffer, Math.Clamp(written, 0, size - 1)).TrimEnd();
            lock (Gate)
            {
                Recent.Enqueue(text);
                _total++;
                while (Recent.Count > Kept)
                {
                    Recent.Dequeue();
                }
            }

            OnWarning?.Invoke(text);
            return written;
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }
}
