using System.Globalization;
using Calico.Api;
using Calico.Client;
using Calico.Ctl.Input;
using Calico.Datastore;
using Calico.Reachability;

namespace Calico.Ctl.Commands;

/// <summary>
/// <c>calicoctl policy simulate -f proposed.yaml</c>: the reachability matrix among existing workloads, on the
/// ports they expose, before and after applying the proposed resources. The proposal is applied (with
/// <c>calicoctl apply</c>'s semantics) to a throw-away embedded copy of the datastore, never to the datastore.
/// </summary>
internal sealed partial class PolicySimulateRunner(CtlContext context)
{
    public async Task<int> RunAsync(string filename, string? configPath, CancellationToken cancellationToken)
    {
        var proposed = ResourceInput.Read(filename, recursive: false, skipEmpty: false, context.In);
        var client = context.OpenClient(configPath);
        var before = await client.ListAllAsync(cancellationToken).ConfigureAwait(false);
        var after = await ApplyToCopyAsync(client, proposed, cancellationToken).ConfigureAwait(false);

        var output = context.Out;
        output.WriteLine($"Simulated applying {proposed.Count} resource(s) from {(filename == "-" ? "stdin" : filename)}; the datastore is unchanged.");
        var workloads = new WorkloadDirectory(before);
        var probes = workloads.Ports
            .Select(p => Probe.TryParse($"{p.Port.Protocol?.ToString() ?? "TCP"}/{p.Port.Port}", out var probe) ? probe : null)
            .OfType<Probe>()
            .Distinct()
            .OrderBy(p => p.Protocol)
            .ThenBy(p => p.Port)
            .ToList();
        if (workloads.All.Count == 0)
        {
            output.WriteLine("No workload endpoints: nothing to probe.");
            return 0;
        }

        if (probes.Count == 0)
        {
            output.WriteLine($"None of the {workloads.All.Count} workload(s) exposes a named port (spec.ports): nothing to probe.");
            return 0;
        }

        var beforeEvaluator = new PolicyEvaluator(DataplaneLoader.Load(before));
        var afterEvaluator = new PolicyEvaluator(DataplaneLoader.Load(after));
        var changes = new List<string>();
        foreach (var probe in probes)
        {
            var b = ReachabilityMatrix.Compute(beforeEvaluator, workloads.All, probe);
            var a = ReachabilityMatrix.Compute(afterEvaluator, workloads.All, probe);
            output.WriteLine();
            output.WriteLine($"{probe} before (rows: from, columns: to; . allowed, X denied):");
            WriteTable(output, b, null);
            output.WriteLine($"{probe} after (* changed):");
            WriteTable(output, a, b);
            for (var i = 0; i < workloads.All.Count; i++)
            {
                for (var j = 0; j < workloads.All.Count; j++)
                {
                    if (i != j && a.Allowed(i, j) != b.Allowed(i, j))
                    {
                        var flow = a[i, j]!;
                        var decider = flow.Allowed ? "" : " (" + (flow.Egress is { Verdict: Verdict.Deny } e ? "egress: " + e.Reason : "ingress: " + flow.Ingress!.Reason) + ")";
                        changes.Add(string.Create(CultureInfo.InvariantCulture,
                            $"  {workloads.All[i].Name} -> {workloads.All[j].Name} {probe}: {Word(b.Allowed(i, j))} -> {Word(a.Allowed(i, j))}{decider}"));
                    }
                }
            }
        }

        output.WriteLine();
        if (changes.Count == 0)
        {
            output.WriteLine("No flow changes.");
        }
        else
        {
            output.WriteLine($"{changes.Count} flow(s) change:");
            foreach (var c in changes)
            {
                output.WriteLine(c);
            }
        }

        WritePending(output, afterEvaluator, workloads.All, probes);
        return 0;
    }

    private static string Word(bool? allowed) => allowed == true ? "allowed" : "denied";

    private static void WriteTable(TextWriter output, ReachabilityMatrix matrix, ReachabilityMatrix? previous)
    {
        var names = matrix.Endpoints.Select(e => e.Name).ToList();
        foreach (var line in MatrixText.Table(names, (i, j) =>
                     MatrixText.Cell(matrix.Allowed(i, j)) + (previous is not null && previous.Allowed(i, j) != matrix.Allowed(i, j) ? "*" : "")))
        {
            output.WriteLine("  " + line.TrimEnd());
        }
    }

    /// <summary>Copies the store into a temporary embedded store, applies the proposal there, reads everything back, deletes the copy.</summary>
    private async Task<IReadOnlyList<Resource>> ApplyToCopyAsync(ResourceClient client, IReadOnlyList<Resource> proposed, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("calicoctl-simulate-").FullName;
        try
        {
            await using var store = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = Path.Combine(directory, "calico.db") });
            await client.CopyToAsync(store, cancellationToken).ConfigureAwait(false);
            var copy = new ResourceClient(store, context.Time);
            await copy.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
            var errors = new List<string>();
            foreach (var resource in proposed)
            {
                var (_, error) = await ResourceActions.RunAsync("apply", copy, resource, new CrudOptions(), cancellationToken).ConfigureAwait(false);
                if (error is not null)
                {
                    errors.Add(ResourceIdentity.Describe(resource) + ": " + error);
                }
            }

            if (errors.Count > 0)
            {
                throw new CtlException("failed to simulate: the proposed resources cannot be applied: [" + string.Join("; ", errors) + "]");
            }

            return await copy.ListAllAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
