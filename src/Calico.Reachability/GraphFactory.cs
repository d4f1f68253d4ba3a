using Calico.Felix.Calc;

namespace Calico.Reachability;

/// <summary>The one place that builds the calculation graph, for every host at once (every endpoint local).</summary>
internal static class GraphFactory
{
    public static ICalculationGraph CreateForAllHosts() => new CalculationGraph(hostname: null);
}
