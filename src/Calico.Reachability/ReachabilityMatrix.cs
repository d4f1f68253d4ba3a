using System.Text;

namespace Calico.Reachability;

/// <summary>
/// Every endpoint to every other endpoint on one probe, answered by <see cref="PolicyEvaluator"/>.
/// Rows are sources, columns destinations; the diagonal (an endpoint probing itself) is not judged.
/// </summary>
public sealed class ReachabilityMatrix
{
    private readonly FlowVerdict?[,] _cells;

    private ReachabilityMatrix(IReadOnlyList<MatrixEndpoint> endpoints, Probe probe, FlowVerdict?[,] cells)
    {
        Endpoints = endpoints;
        Probe = probe;
        _cells = cells;
    }

    public IReadOnlyList<MatrixEndpoint> Endpoints { get; }

    public Probe Probe { get; }

    /// <summary>Null on the diagonal.</summary>
    public FlowVerdict? this[int from, int to] => _cells[from, to];

    public bool? Allowed(int from, int to) => _cells[from, to]?.Allowed;

    public static ReachabilityMatrix Compute(PolicyEvaluator evaluator, IReadOnlyList<MatrixEndpoint> endpoints, Probe probe)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(endpoints);
        var n = endpoints.Count;
        var cells = new FlowVerdict?[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (i == j)
                {
                    continue;
                }

                var packet = new Packet(endpoints[i].Address, endpoints[j].Address, probe.Protocol, Packet.ProbeSourcePort, probe.Port);
                cells[i, j] = evaluator.EvaluateFlow(packet, endpoints[i].Key, endpoints[j].Key);
            }
        }

        return new ReachabilityMatrix(endpoints, probe, cells);
    }

    /// <summary>One matrix per probe.</summary>
    public static IReadOnlyList<ReachabilityMatrix> Compute(PolicyEvaluator evaluator, IReadOnlyList<MatrixEndpoint> endpoints, IEnumerable<Probe> probes)
    {
        ArgumentNullException.ThrowIfNull(probes);
        var result = new List<ReachabilityMatrix>();
        foreach (var probe in probes)
        {
            result.Add(Compute(evaluator, endpoints, probe));
        }

        return result;
    }

    /// <summary>
    /// A truth table as the Kubernetes e2e suite prints one: "." reachable, "X" blocked, "-" self; rows are
    /// sources, columns destinations.
    /// </summary>
    public string Render()
    {
        var rows = MatrixText.Table(Endpoints.Select(e => e.Name).ToList(), (i, j) => MatrixText.Cell(Allowed(i, j)));
        var sb = new StringBuilder();
        sb.Append(Probe).Append(" (rows: from, columns: to; . allowed, X denied)\n");
        foreach (var row in rows)
        {
            sb.Append(row).Append('\n');
        }

        return sb.ToString();
    }
}
