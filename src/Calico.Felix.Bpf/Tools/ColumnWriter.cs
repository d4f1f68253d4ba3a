namespace Calico.Felix.Bpf.Tools;

/// <summary>Rows written as left-aligned columns separated by two spaces (the widest cell sets each column's width).</summary>
internal sealed class ColumnWriter
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] row) => _rows.Add(row);

    public void WriteTo(TextWriter output, string indent = "")
    {
        int columns = _rows.Count == 0 ? 0 : _rows.Max(static r => r.Length);
        var widths = new int[columns];
        foreach (string[] row in _rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (string[] row in _rows)
        {
            var cells = new string[row.Length];
            for (int i = 0; i < row.Length; i++)
            {
                cells[i] = i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i]);
            }

            output.WriteLine(indent + string.Join("  ", cells));
        }
    }
}
