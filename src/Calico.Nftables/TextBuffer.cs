using System.Text;

namespace Calico.Nftables;

/// <summary>One reusable StringBuilder per thread for the texts of rules and values (built once each, many per render).</summary>
internal static class TextBuffer
{
    [ThreadStatic]
    private static StringBuilder? t_cached;

    public static StringBuilder Rent()
    {
        StringBuilder? sb = t_cached;
        t_cached = null;
        return sb ?? new StringBuilder(256);
    }

    public static string ToStringAndReturn(StringBuilder sb)
    {
        string text = sb.ToString();
        if (sb.Capacity <= 4096)
        {
            sb.Clear();
            t_cached = sb;
        }

        return text;
    }
}
