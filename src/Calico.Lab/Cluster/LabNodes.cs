using System.Globalization;

namespace Calico.Lab.Cluster;

/// <summary>
/// calico-node on a lab host: started detached inside the host's namespace (the PID is calico-node's, a session and
/// process-group leader, so BIRD and anything else it runs share its group), and killed or restarted per host.
/// </summary>
public static class LabNodes
{
    public static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(30);

    /// <summary>Starts calico-node; the caller records the returned process in lab.json.</summary>
    public static LabProcess Start(LabState state, LabHost host)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(host);
        var bin = Path.Combine(Binaries.FindDirectory(Binaries.Node), Binaries.Node);
        var environment = LabDatastore.ClientEnvironment(state);
        environment["NODENAME"] = host.Name;
        environment["IP"] = host.Address;
        if (host.Address6.Length > 0)
        {
            environment["IP6"] = string.Create(CultureInfo.InvariantCulture, $"{host.Address6}/{FabricAddressing.PrefixLength6}");
        }

        environment["FELIX_HEALTHENABLED"] = "true";
        environment["FELIX_PROMETHEUSMETRICSENABLED"] = "true";
        environment["FELIX_LOGSEVERITYSCREEN"] = "Info";
        // The lab creates its pools (LabPools) before any calico-node starts; a pool deleted on purpose stays deleted.
        environment["NO_DEFAULT_POOLS"] = "true";
        LabFlows.AddNodeEnvironment(state, environment);
        if (host.BpfRoot is { } bpfRoot)
        {
            environment[Calico.Linux.Bpf.BpfFilesystem.RootVariable] = bpfRoot;
        }
        var felixConfig = Path.Combine(host.Directory, "felix.cfg");
        var pid = DetachedProcess.StartInNetns(host.Netns, bin, ["--felix-config", felixConfig, "--state-dir", host.Directory], environment, Path.Combine(host.Directory, "calico-node.log"));
        return new LabProcess { Pid = pid, Marker = felixConfig };
    }

    public static Task WaitReadyAsync(LabHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        return NodeReadiness.WaitAsync(host, Path.Combine(host.Directory, "calico-node.log"), ReadyLimit, cancellationToken);
    }

    /// <summary>
    /// A crash of the host's calico-node as upstream's pod would have it: SIGKILL to calico-node's process group and
    /// to everything else in the host's namespace (its BIRD daemonises out of the group; only calico-node's own
    /// processes run there). No BGP notification is sent, so peers keep the host's routes under graceful restart.
    /// Returns once they are gone.
    /// </summary>
    public static async Task KillAsync(LabLayout layout, string hostName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var host = FindHost(LabStateFile.Load(layout), hostName);
        var pids = new List<int>();
        if (host.Node is { } node && DetachedProcess.IsRunning(node))
        {
            await Command.RunAsync("kill", ["-KILL", "--", "-" + node.Pid.ToString(CultureInfo.InvariantCulture)], cancellationToken: cancellationToken).ConfigureAwait(false);
            pids.Add(node.Pid);
        }

        var inside = await Command.RunAsync("ip", ["netns", "pids", host.Netns], cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var pid in inside.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture)))
        {
            if (pid != Environment.ProcessId)
            {
                await Command.RunAsync("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)], cancellationToken: cancellationToken).ConfigureAwait(false);
                pids.Add(pid);
            }
        }

        while (pids.Any(DetachedProcess.IsAlive))
        {
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts calico-node again on a host whose calico-node is not running, and waits until it is ready.</summary>
    public static async Task StartAgainAsync(LabLayout layout, string hostName, CancellationToken cancellationToken)
    {
        var state = LabStateFile.Load(layout);
        var host = FindHost(state, hostName);
        if (state.NoNode)
        {
            throw new LabException($"lab '{layout.Name}' runs without calico-node (--no-node)");
        }

        if (host.Node is { } running && DetachedProcess.IsRunning(running))
        {
            throw new LabException($"calico-node on {hostName} still runs (pid {running.Pid})");
        }

        var process = Start(state, host);
        host.Node = process;
        await LabStateFile.UpdateAsync(layout, s => FindHost(s, hostName).Node = process, cancellationToken).ConfigureAwait(false);
        await WaitReadyAsync(host, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kill, then start again: what a crash and a supervisor's restart look like.</summary>
    public static async Task RestartAsync(LabLayout layout, string hostName, CancellationToken cancellationToken)
    {
        await KillAsync(layout, hostName, cancellationToken).ConfigureAwait(false);
        await StartAgainAsync(layout, hostName, cancellationToken).ConfigureAwait(false);
    }

    private static LabHost FindHost(LabState state, string hostName) =>
        state.Hosts.FirstOrDefault(h => h.Name == hostName)
        ?? throw new LabException($"unknown host '{hostName}' (lab '{state.Name}' has {string.Join(", ", state.Hosts.Select(h => h.Name))})");
}
