using System.Text;

namespace Calico.Ctl.Commands;

/// <summary>go-pretty's default table style, which upstream's <c>calicoctl ipam show</c> prints: +--+ borders, | separators.</summary>
internal static class BoxTable
{
    public static string Render(IReadOnlyList<string> headings, IReadOnlyList<IReadOnlyList<string>> rows, IReadOnlyCollection<int> rightAligned)
    {
        var widths = new int[headings.Count];
        for (int c = 0; c < headings.Count; c++)
        {
            widths[c] = headings[c].Length;
            foreach (var row in rows)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        var sb = new StringBuilder();
        Border(sb, widths);
        Line(sb, headings, widths, []);
        Border(sb, widths);
        foreach (var row in rows)
        {
            Line(sb, row, widths, rightAligned);
        }

        Border(sb, widths);
        return sb.ToString();
    }

    private static void Border(StringBuilder sb, int[] widths)
    {
        foreach (int w in widths)
        {
            sb.Append('+').Append('-', w + 2);
        }

        sb.Append("+\n");
    }

    private static void Line(StringBuilder sb, IReadOnlyList<string> cells, int[] widths, IReadOnlyCollection<int> rightAligned)
    {
        for (int c = 0; c < widths.Length; c++)
        {
            sb.Append("| ");
            sb.Append(rightAligned.Contains(c) ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c]));
            sb.Append(' ');
        }

        sb.Append("|\n");
    }
}
