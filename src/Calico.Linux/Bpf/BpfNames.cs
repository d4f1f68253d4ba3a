using System.Text;

namespace Calico.Linux.Bpf;

/// <summary>The kernel's fixed-size object names (char name[BPF_OBJ_NAME_LEN], NUL-padded).</summary>
internal static class BpfNames
{
    public static unsafe string FromFixed(byte* name, int capacity)
    {
        var span = new ReadOnlySpan<byte>(name, capacity);
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
