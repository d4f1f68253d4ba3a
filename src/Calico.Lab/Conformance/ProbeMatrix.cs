using System.Text;
using Calico.Reachability;

namespace Calico.Lab.Conformance;

/// <summary>
/// Every pod to every other pod on one probe, however it was answered (the policy engine, or packets on a lab):
/// rows are sources, columns destinations, null on the diagonal; <see cref="Explain"/> says what decided a cell.
/// A measured matrix also keeps each cell's <see cref="ProbeOutcome"/> (denied apart from not listening and
/// unreachable); <see cref="Allowed"/> stays true for allowed and false for the other three.
/// </summary>
public sealed class ProbeMatrix
{
    private readonly bool?[,] _allowed;
    private readonly ProbeOutcome?[,]? _outcomes;
    private readonly Func<int, int, string?> _explain;

    public ProbeMatrix(IReadOnlyList<string> names, Probe probe, bool?[,] allowed, Func<int, int, string?>? explain = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(allowed);
        if (allowed.GetLength(0) != names.Count || allowed.GetLength(1) != names.Count)
        {
            throw new ArgumentException($"the table is {allowed.GetLength(0)}x{allowed.GetLength(1)} for {names.Count} names", nameof(allowed));
        }

        Names = names;
        Probe = probe;
        _allowed = allowed;
        _explain = explain ?? ((_, _) => null);
    }

    /// <summary>A measured matrix: each cell what the probe saw (null on the diagonal).</summary>
    public ProbeMatrix(IReadOnlyList<string> names, Probe probe, ProbeOutcome?[,] outcomes)
        : this(names, probe, ToAllowed(outcomes))
    {
        _outcomes = outcomes;
        _explain = (i, j) => ProbeOutcomeText.Explain(outcomes[i, j]);
    }

    public IReadOnlyList<string> Names { get; }

    public Probe Probe { get; }

    public bool? Allowed(int from, int to) => _allowed[from, to];

    /// <summary>What the probe saw, or null for the diagonal and for a matrix not measured with packets (the engine's).</summary>
    public ProbeOutcome? Outcome(int from, int to) => _outcomes?[from, to];

    /// <summary>What decided the cell (" [egress: …; ingress: …]" from the engine), or null when nothing is known.</summary>
    public string? Explain(int from, int to) => _explain(from, to);

    /// <summary>The engine's answer, each cell explained by the decisions of both sides.</summary>
    public static ProbeMatrix FromEngine(ReachabilityMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var n = matrix.Endpoints.Count;
        var allowed = new bool?[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                allowed[i, j] = matrix.Allowed(i, j);
            }
        }

        return new ProbeMatrix(
            [.. matrix.Endpoints.Select(e => e.Name)],
            matrix.Probe,
            allowed,
            (i, j) => matrix[i, j] is { } flow ? $" [egress: {flow.Egress?.Reason ?? "n/a"}; ingress: {flow.Ingress?.Reason ?? "n/a"}]" : null);
    }

    /// <summary>True when every judged cell equals <paramref name="expected"/>'s (the diagonal is not judged).</summary>
    public bool Matches(bool?[,] expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        for (var i = 0; i < Names.Count; i++)
        {
            for (var j = 0; j < Names.Count; j++)
            {
                if (i != j && expected[i, j] != _allowed[i, j])
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>True when both tables hold the same cells.</summary>
    public bool SameCells(ProbeMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Names.Count == Names.Count && Matches(other._allowed);
    }

    /// <summary>
    /// The table as <see cref="ReachabilityMatrix.Render"/> prints it, so engine and lab output compare line by line;
    /// a measured matrix tells denied (X) from not listening (o) and unreachable (!), with the legend in its header.
    /// </summary>
    public string Render()
    {
        var outcomes = _outcomes;
        var rows = outcomes is null
            ? MatrixText.Table(Names, (i, j) => MatrixText.Cell(_allowed[i, j]))
            : MatrixText.Table(Names, (i, j) => ProbeOutcomeText.Cell(outcomes[i, j]));
        var sb = new StringBuilder();
        sb.Append(Probe).Append(" (rows: from, columns: to; ").Append(outcomes is null ? ". allowed, X denied" : ProbeOutcomeText.Legend).Append(")\n");
        foreach (var row in rows)
        {
            sb.Append(row).Append('\n');
        }

        return sb.ToString();
    }

    private static bool?[,] ToAllowed(ProbeOutcome?[,] outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var allowed = new bool?[outcomes.GetLength(0), outcomes.GetLength(1)];
        for (var i = 0; i < outcomes.GetLength(0); i++)
        {
            for (var j = 0; j < outcomes.GetLength(1); j++)
            {
                allowed[i, j] = outcomes[i, j] is { } outcome ? outcome == ProbeOutcome.Allowed : null;
            }
        }

        return allowed;
    }
}
