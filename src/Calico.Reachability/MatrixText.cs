using System.Text;

namespace Calico.Reachability;

/// <summary>Fixed-width truth tables: one header line of destination names, then one line per source.</summary>
public static class MatrixText
{
    public static string Cell(bool? allowed) => allowed switch
    {
        null => "-",
        true => ".",
        false => "X",
    };

    /// <summary>Lines of a table whose cells come from <paramref name="cell"/>(from, to); lines are padded to one width.</summary>
    public static IReadOnlyList<string> Table(IReadOnlyList<string> names, Func<int, int, string> cell)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(cell);
        var nameWidth = Math.Max(4, names.Count == 0 ? 0 : names.Max(n => n.Length));
        var cellWidths = new int[names.Count];
        for (var j = 0; j < names.Count; j++)
        {
            var w = names[j].Length;
            for (var i = 0; i < names.Count; i++)
            {
                w = Math.Max(w, cell(i, j).Length);
            }

            cellWidths[j] = w;
        }

        var lines = new List<string>(names.Count + 1);
        var header = new StringBuilder().Append(' ', nameWidth);
        for (var j = 0; j < names.Count; j++)
        {
            header.Append(' ').Append(names[j].PadRight(cellWidths[j]));
        }

        lines.Add(header.ToString());
        for (var i = 0; i < names.Count; i++)
        {
            var line = new StringBuilder(names[i].PadRight(nameWidth));
            for (var j = 0; j < names.Count; j++)
            {
                line.Append(' ').Append(cell(i, j).PadRight(cellWidths[j]));
            }

            lines.Add(line.ToString());
        }

        var width = lines.Max(l => l.Length);
        return [.. lines.Select(l => l.PadRight(width))];
    }
}
