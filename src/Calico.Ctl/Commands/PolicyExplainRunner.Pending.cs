using Calico.Felix.Calc.Model;
using Calico.Reachability;

namespace Calico.Ctl.Commands;

/// <summary>
/// The pending view of <c>policy explain</c>: printed only when a staged policy changes what one of the flow's
/// endpoints evaluates (so the output without staged policies is unchanged).
/// </summary>
internal sealed partial class PolicyExplainRunner
{
    private static void WritePending(
        TextWriter output, PolicyEvaluator evaluator, Packet packet, EndpointKey? sourceKey, EndpointKey? destinationKey,
        MatrixEndpoint source, MatrixEndpoint destination)
    {
        var staged = Selects(evaluator, sourceKey, TrafficDirection.Egress) || Selects(evaluator, destinationKey, TrafficDirection.Ingress);
        if (!staged)
        {
            return;
        }

        var pending = evaluator.TraceFlow(packet, sourceKey, destinationKey, TraceMode.Pending);
        output.WriteLine("Pending (with staged policies; not enforced):");
        WritePendingSide(output, "Egress", source, pending.Egress);
        WritePendingSide(output, "Ingress", destination, pending.Ingress);
        output.WriteLine(pending.Allowed ? "PENDING: ALLOWED" : "PENDING: DENIED");
    }

    private static bool Selects(PolicyEvaluator evaluator, EndpointKey? key, TrafficDirection direction) =>
        key is { } k && evaluator.State.Endpoints.TryGetValue(k, out var endpoint) && PolicyEvaluator.HasStagedPolicies(endpoint, direction);

    private static void WritePendingSide(TextWriter output, string direction, MatrixEndpoint side, SideTrace? trace)
    {
        if (trace is null)
        {
            return;
        }

        output.WriteLine($"  {direction} at {side.Name}: {trace.Verdict.ToString().ToUpperInvariant()}");
        foreach (var hit in trace.Hits)
        {
            output.WriteLine($"    {(ReferenceEquals(hit, trace.Decider) ? "decided by" : "passed")}: {hit}{(hit.Kind == TraceKind.EndOfTier && hit.Trigger?.IsStaged == true ? " [staged]" : "")}");
        }
    }
}
