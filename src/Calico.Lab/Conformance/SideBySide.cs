using System.Globalization;
using System.Text;
using Calico.Reachability;

namespace Calico.Lab.Conformance;

/// <summary>
/// Expected and actual truth tables next to each other ("." allowed, "X" denied, "-" not judged), each
/// differing cell marked with "*" in both; rows are sources, columns destinations.
/// </summary>
public static class SideBySide
{
    /// <summary>Null when the matrices agree; otherwise the report for this step and probe.</summary>
    public static string? Compare(CaseStep step, ProbeMatrix actual, bool?[,] expected)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(expected);
        var n = actual.Names.Count;
        var differ = new bool[n, n];
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (i != j && expected[i, j] != actual.Allowed(i, j))
                {
                    differ[i, j] = true;
                    count++;
                }
            }
        }

        if (count == 0)
        {
            return null;
        }

        var names = actual.Names;
        var left = MatrixText.Table(names, (i, j) => MatrixText.Cell(expected[i, j]) + (differ[i, j] ? "*" : ""));
        var right = MatrixText.Table(names, (i, j) => MatrixText.Cell(actual.Allowed(i, j)) + (differ[i, j] ? "*" : ""));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"  {step.Describe()}, {actual.Probe}: {count} cell(s) differ (rows: from, columns: to; . allowed, X denied, * differs)\n");
        var width = left[0].Length;
        sb.Append("    ").Append("expected".PadRight(width)).Append(" | actual\n");
        for (var k = 0; k < left.Count; k++)
        {
            sb.Append("    ").Append(left[k]).Append(" | ").Append(right[k].TrimEnd()).Append('\n');
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (differ[i, j] && actual.Allowed(i, j) is { } allowed)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"    {names[i]} -> {names[j]}: expected {(expected[i, j] == true ? "allow" : "deny")}, got {(allowed ? "allow" : "deny")}");
                    sb.Append(actual.Explain(i, j)).Append('\n');
                }
            }
        }

        return sb.ToString();
    }
}
