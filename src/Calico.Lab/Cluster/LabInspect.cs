using System.Net;
using System.Text;
using Calico.Lab.Conformance;
using Calico.Reachability;

namespace Calico.Lab.Cluster;

/// <summary><c>calico-lab matrix</c> and <c>calico-lab exec</c>: looking at and into a running lab's pods.</summary>
public static class LabInspect
{
    /// <summary>
    /// Probes every pod to every pod over IPv4 or IPv6 (<paramref name="family"/> 4 or 6); default probes: every port
    /// the pods serve (TCP/80 when none).
    /// </summary>
    public static async Task<string> MatrixAsync(LabLayout layout, IReadOnlyList<Probe> probes, int family, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(probes);
        var state = LabStateFile.Load(layout);
        var pods = state.Pods.Where(p => (family == 6 ? p.Address6 : p.Address).Length > 0).OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
        if (pods.Count == 0)
        {
            throw new LabException(family == 6 && state.Pods.Count > 0
                ? $"lab '{layout.Name}' has no pods with IPv6 addresses"
                : $"lab '{layout.Name}' has no pods: start some with calico-lab run");
        }

        if (probes.Count == 0)
        {
            probes = [.. pods.SelectMany(p => p.Serve).Distinct(StringComparer.Ordinal).Select(s => Probe.TryParse(s, out var p) ? p.Value : throw new LabException($"lab.json: bad serve entry '{s}'"))];
            if (probes.Count == 0)
            {
                probes = [new Probe(Packet.Tcp, 80)];
            }
        }

        var targets = pods.Select(p => new ProbeTarget(p.Id, LabLayout.NetnsPath(p.Netns), IPAddress.Parse(family == 6 ? p.Address6 : p.Address))).ToList();
        var matrices = await Prober.ProbeAsync(targets, probes, cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder();
        foreach (var matrix in matrices)
        {
            sb.Append(matrix.Render());
        }

        sb.Append(FabricWarnings.MatrixNote(state, pods));

        return sb.ToString();
    }

    /// <summary>
    /// Runs a command inside a namespace of the lab: a pod's (<c>ns/name</c>), a host's (<c>host2</c>), or
    /// <c>outside</c>, <c>tor</c>, <c>fabric</c>. Its exit code is the result.
    /// </summary>
    public static async Task<int> ExecAsync(LabLayout layout, string target, IReadOnlyList<string> command, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var state = LabStateFile.Load(layout);
        var netns = ExecNetns(layout, state, target);
        var result = await Command.RunAsync("ip", ["netns", "exec", netns, .. command], cancellationToken: cancellationToken).ConfigureAwait(false);
        await stdout.WriteAsync(result.Output).ConfigureAwait(false);
        await stderr.WriteAsync(result.Error).ConfigureAwait(false);
        return result.ExitCode;
    }

    private static string ExecNetns(LabLayout layout, LabState state, string target)
    {
        switch (target)
        {
            case LabLayout.Outside:
                return layout.OutsideNetns;
            case LabLayout.Fabric:
                return layout.FabricNetns;
            case LabLayout.Tor when state.Tor:
                return layout.TorNetns;
            case LabLayout.Tor:
                throw new LabException($"lab '{layout.Name}' has no top-of-rack router (up --tor)");
        }

        if (state.Hosts.FirstOrDefault(h => h.Name == target) is { } host)
        {
            return host.Netns;
        }

        if (!target.Contains('/', StringComparison.Ordinal))
        {
            throw new LabException($"unknown exec target '{target}' (a pod <ns>/<name>, {string.Join(", ", state.Hosts.Select(h => h.Name))}, {LabLayout.Outside}, {LabLayout.Fabric}{(state.Tor ? ", " + LabLayout.Tor : "")})");
        }

        var pod = ArgumentParsers.ParsePod(target);
        var record = state.Pods.FirstOrDefault(p => p.Namespace == pod.Namespace && p.Name == pod.Name)
            ?? throw new LabException($"unknown pod '{pod}' (lab '{layout.Name}' runs {(state.Pods.Count == 0 ? "none" : string.Join(", ", state.Pods.Select(p => p.Id)))})");
        return record.Netns;
    }
}
