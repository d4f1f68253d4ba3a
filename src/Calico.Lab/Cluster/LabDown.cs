using System.Globalization;

namespace Calico.Lab.Cluster;

/// <summary>
/// <c>calico-lab down</c>: stops every process the lab started (calico-nodes, listeners, etcd, the ToR's BIRD, the
/// flow aggregator and its relay) and
/// any other process still inside its namespaces, deletes its namespaces (pods, hosts, ToR, outside, fabric) (their interfaces go with them, and
/// the tc filters on them), unmounts the hosts' bpffs (<see cref="LabBpf"/>), and deletes its state directory. Works from lab.json; without it,
/// from the namespaces named with the lab's prefix. Running it again finds nothing and succeeds.
/// </summary>
public static class LabDown
{
    private static readonly TimeSpan s_grace = TimeSpan.FromSeconds(5);

    public static async Task DownAsync(LabLayout layout, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(output);
        var state = LabStateFile.TryLoad(layout);
        var namespaces = new List<string>();
        var processes = new List<LabProcess>();
        if (state is not null)
        {
            foreach (var pod in state.Pods)
            {
                namespaces.Add(pod.Netns);
                if (pod.Listener is { } listener)
                {
                    processes.Add(listener);
                }
            }

            foreach (var host in state.Hosts)
            {
                namespaces.Add(host.Netns);
                if (host.Node is { } node)
                {
                    processes.Add(node);
                }
            }

            processes.AddRange(LabEtcd.Processes(state));

            if (state.TorBird is { } bird)
            {
                processes.Add(bird);
            }

            if (state.Flows is { } flows)
            {
                processes.AddRange(new[] { flows.Aggregator, flows.Relay }.OfType<LabProcess>());
            }

            // Both even when lab.json predates them: only the ones that exist are deleted.
            namespaces.Add(layout.TorNetns);
            namespaces.Add(layout.OutsideNetns);
            namespaces.Add(layout.FabricNetns);
        }
        else
        {
            // lab.json is gone (a crash, a wiped state dir): the lab's namespaces are known by their prefix.
            namespaces.AddRange((await ListNetnsAsync(cancellationToken).ConfigureAwait(false)).Where(n => n.StartsWith(layout.NetnsPrefix, StringComparison.Ordinal)));
        }

        await Task.WhenAll(processes.Select(p => DetachedProcess.StopAsync(p, s_grace, cancellationToken))).ConfigureAwait(false);
        var existing = (await ListNetnsAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var removed = 0;
        foreach (var netns in namespaces.Distinct(StringComparer.Ordinal))
        {
            if (!existing.Contains(netns))
            {
                continue;
            }

            await DeleteNetnsAsync(netns, cancellationToken).ConfigureAwait(false);
            removed++;
        }

        // The hosts' bpffs (--dataplane bpf): their pins go with them. Before the state directory, which holds them.
        var unmounted = LabBpf.UnmountAll(layout);
        if (Directory.Exists(layout.StateDir))
        {
            Directory.Delete(layout.StateDir, recursive: true);
        }

        await output.WriteLineAsync(state is null && removed == 0 && unmounted == 0
            ? $"lab '{layout.Name}' is not up: nothing to remove"
            : string.Create(CultureInfo.InvariantCulture, $"lab '{layout.Name}' is down: {removed} namespace(s) and {processes.Count} process(es) removed{(unmounted > 0 ? $", {unmounted} bpffs unmounted" : "")}")).ConfigureAwait(false);
    }

    /// <summary>Stops whatever still runs inside the namespace (only the lab puts processes there), then deletes it.</summary>
    public static async Task DeleteNetnsAsync(string netns, CancellationToken cancellationToken)
    {
        if (!File.Exists(LabLayout.NetnsPath(netns)))
        {
            return;
        }

        var pids = await Command.RunAsync("ip", ["netns", "pids", netns], cancellationToken: cancellationToken).ConfigureAwait(false);
        var stops = pids.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture))
            .Where(p => p != Environment.ProcessId)
            .Select(p => DetachedProcess.StopPidAsync(p, s_grace, cancellationToken));
        await Task.WhenAll(stops).ConfigureAwait(false);
        var result = await Command.RunAsync("ip", ["netns", "del", netns], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && File.Exists(LabLayout.NetnsPath(netns)))
        {
            throw new LabException($"cannot delete netns {netns}: {result.Error.Trim()}");
        }
    }

    /// <summary>Names from <c>ip netns list</c> (the first word of each line).</summary>
    public static async Task<IReadOnlyList<string>> ListNetnsAsync(CancellationToken cancellationToken)
    {
        var result = await Command.RunAsync("ip", ["netns", "list"], cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split(' ')[0])];
    }
}
