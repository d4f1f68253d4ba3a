using System.Text;

namespace Calico.Ctl.Output;

/// <summary>
/// The table layout of Go's text/tabwriter as calicoctl configures it (minwidth 5, padding 3, spaces):
/// every cell is tab-terminated, so every column, the last included, is padded to its widest cell + 3.
/// Operators diff and grep this output, so it matches byte for byte.
/// </summary>
internal static class TabWriter
{
    private const int MinWidth = 5;
    private const int Padding = 3;

    public static string Render(IReadOnlyList<string> headings, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = new int[headings.Count];
        for (var c = 0; c < headings.Count; c++)
        {
            var w = headings[c].Length;
            foreach (var row in rows)
            {
                w = Math.Max(w, row[c].Length);
            }

            widths[c] = Math.Max(w + Padding, MinWidth);
        }

        var sb = new StringBuilder();
        AppendLine(sb, headings, widths);
        foreach (var row in rows)
        {
            AppendLine(sb, row, widths);
        }

        return sb.ToString();
    }

    private static void AppendLine(StringBuilder sb, IReadOnlyList<string> cells, int[] widths)
    {
        for (var c = 0; c < cells.Count; c++)
        {
            sb.Append(cells[c]).Append(' ', widths[c] - cells[c].Length);
        }

        sb.Append('\n');
    }
}
