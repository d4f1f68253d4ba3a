using System.Globalization;
using Calico.Reachability;

namespace Calico.Ctl.Commands;

/// <summary>
/// The pending view of <c>policy simulate</c>: after the proposal, what the staged policies would change if they
/// were enforced. Printed only when a staged policy selects one of the workloads (the output is otherwise unchanged).
/// </summary>
internal sealed partial class PolicySimulateRunner
{
    private static void WritePending(TextWriter output, PolicyEvaluator after, IReadOnlyList<MatrixEndpoint> workloads, IReadOnlyList<Probe> probes)
    {
        var staged = workloads.Any(w => w.Key is { } k && after.State.Endpoints.TryGetValue(k, out var endpoint)
            && (PolicyEvaluator.HasStagedPolicies(endpoint, TrafficDirection.Ingress) || PolicyEvaluator.HasStagedPolicies(endpoint, TrafficDirection.Egress)));
        if (!staged)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("Pending, with staged policies (not enforced):");
        var changes = new List<string>();
        var names = workloads.Select(w => w.Name).ToList();
        foreach (var probe in probes)
        {
            var n = workloads.Count;
            var enforced = new bool?[n, n];
            var pending = new FlowTrace?[n, n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    if (i == j)
                    {
                        continue;
                    }

                    var packet = new Packet(workloads[i].Address, workloads[j].Address, probe.Protocol, Packet.ProbeSourcePort, probe.Port);
                    enforced[i, j] = after.EvaluateFlow(packet, workloads[i].Key, workloads[j].Key).Allowed;
                    pending[i, j] = after.TraceFlow(packet, workloads[i].Key, workloads[j].Key, TraceMode.Pending);
                    if (pending[i, j]!.Allowed != enforced[i, j])
                    {
                        var flow = pending[i, j]!;
                        var decider = flow.Egress is { Verdict: Verdict.Deny } e ? "egress: " + e.Decider
                            : flow.Ingress is { Verdict: Verdict.Deny } d ? "ingress: " + d.Decider
                            : "ingress: " + (flow.Ingress?.Decider.ToString() ?? "not filtered");
                        changes.Add(string.Create(CultureInfo.InvariantCulture,
                            $"  {names[i]} -> {names[j]} {probe}: {Word(enforced[i, j])} -> {Word(flow.Allowed)} ({decider})"));
                    }
                }
            }

            output.WriteLine($"{probe} pending (* differs from enforced):");
            foreach (var line in MatrixText.Table(names, (i, j) =>
                         i == j ? MatrixText.Cell(null) : MatrixText.Cell(pending[i, j]!.Allowed) + (pending[i, j]!.Allowed != enforced[i, j] ? "*" : "")))
            {
                output.WriteLine("  " + line.TrimEnd());
            }
        }

        if (changes.Count == 0)
        {
            output.WriteLine("Staged policies change no flow.");
        }
        else
        {
            output.WriteLine($"{changes.Count} flow(s) would change if the staged policies were enforced:");
            foreach (var c in changes)
            {
                output.WriteLine(c);
            }
        }
    }
}
