using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;
using Calico.Lab.Conformance;
using Calico.Reachability;

namespace Calico.Lab.Cluster;

/// <summary>
/// Pods on a lab (<c>calico-lab run</c>): a namespace per pod, wired by the calico CNI plugin exec'd inside the
/// host's namespace exactly as a runtime would, then the labels and named ports a kubelet-fed plugin would have
/// put on its WorkloadEndpoint, then (optionally) its listener. Published ports (<c>--publish</c>) go through the
/// standard portmap plugin chained after calico, with the pod's <c>runtimeConfig.portMappings</c>, as a runtime
/// running the conflist would do it; DEL runs the chain in reverse (portmap, then calico).
/// </summary>
public static class LabWorkloads
{
    public const string PortMapPlugin = "portmap";
    private static readonly TimeSpan s_listenerReadyLimit = TimeSpan.FromSeconds(15);

    /// <summary>How a pod's listener runs: a detached <c>calico-lab serve</c> process, or none (the caller serves).</summary>
    public enum ListenerMode
    {
        DetachedProcess,
        None,
    }

    /// <summary>A pod without published ports.</summary>
    public static Task<LabPod> RunAsync(
        LabLayout layout, LabDatastore datastore, string hostName, PodRef pod, IReadOnlyDictionary<string, string> labels, IReadOnlyList<Probe> serve, ListenerMode listener, CancellationToken cancellationToken) =>
        RunAsync(layout, datastore, hostName, pod, labels, serve, [], listener, cancellationToken);

    public static async Task<LabPod> RunAsync(
        LabLayout layout, LabDatastore datastore, string hostName, PodRef pod, IReadOnlyDictionary<string, string> labels, IReadOnlyList<Probe> serve, IReadOnlyList<PortMapping> publish, ListenerMode listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(datastore);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(serve);
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentParsers.RequireDistinctHostPorts(publish);
        if (publish.Count > 0)
        {
            // Before anything is made: a missing plugin is a message, not a half-wired pod.
            Binaries.FindStandardPluginDirectory(PortMapPlugin);
        }

        var record = new LabPod
        {
            Namespace = pod.Namespace,
            Name = pod.Name,
            Host = hostName,
            Netns = layout.PodNetns(pod.Namespace, pod.Name),
            ContainerId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            Serve = [.. serve.Select(p => p.ToString())],
            Publish = [.. publish],
        };
        LabState? state = null;
        await LabStateFile.UpdateAsync(
            layout,
            s =>
            {
                if (s.Hosts.All(h => h.Name != hostName))
                {
                    throw new LabException($"unknown host '{hostName}' (lab '{layout.Name}' has {string.Join(", ", s.Hosts.Select(h => h.Name))})");
                }

                if (s.Pods.Any(p => p.Namespace == pod.Namespace && p.Name == pod.Name))
                {
                    throw new LabException($"pod {pod} already runs on lab '{layout.Name}'");
                }

                foreach (var mapping in publish)
                {
                    if (s.Pods.FirstOrDefault(p => p.Host == hostName && p.Publish.Any(m => m.HostPort == mapping.HostPort && m.Protocol == mapping.Protocol)) is { } holder)
                    {
                        throw new LabException($"--publish '{mapping}': host port {mapping.HostPort}/{mapping.Protocol} on {hostName} is already published by {holder.Id}");
                    }
                }

                // Recorded before anything is made: down finds it even if this command dies half-way.
                s.Pods.Add(record);
                state = s;
            },
            cancellationToken).ConfigureAwait(false);
        var host = state!.Hosts.Single(h => h.Name == hostName);
        try
        {
            await ConformanceWorld.EnsureNamespaceAsync(datastore.Client, pod.Namespace, cancellationToken).ConfigureAwait(false);
            await Command.IpAsync(cancellationToken, "netns", "add", record.Netns).ConfigureAwait(false);
            await Command.IpAsync(cancellationToken, "-n", record.Netns, "link", "set", "lo", "up").ConfigureAwait(false);
            (record.Address, record.Address6) = await CniAddAsync(state, host, record, cancellationToken).ConfigureAwait(false);
            record.EndpointName = await DecorateEndpointAsync(datastore.Client, record, labels, serve, cancellationToken).ConfigureAwait(false);
            if (serve.Count > 0 && listener == ListenerMode.DetachedProcess)
            {
                var logs = Directory.CreateDirectory(Path.Combine(host.Directory, "pods")).FullName;
                var bin = Path.Combine(Binaries.FindDirectory(Binaries.Lab), Binaries.Lab);
                var identity = record.Id;
                var pid = DetachedProcess.StartInNetns(
                    record.Netns, bin, ["serve", "--identity", identity, string.Join(',', record.Serve)],
                    new Dictionary<string, string>(StringComparer.Ordinal), Path.Combine(logs, $"{pod.Namespace}_{pod.Name}.log"));
                record.Listener = new LabProcess { Pid = pid, Marker = "--identity " + identity };
                await SaveAsync(layout, record, cancellationToken).ConfigureAwait(false);
                await WaitForListenerAsync(record, serve, cancellationToken).ConfigureAwait(false);
            }

            await SaveAsync(layout, record, cancellationToken).ConfigureAwait(false);
            return record;
        }
        catch
        {
            await DeleteAsync(layout, record.Namespace, record.Name, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>CNI DEL, listener stopped, namespace removed, record dropped. Anything already gone is fine.</summary>
    public static async Task DeleteAsync(LabLayout layout, string ns, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var state = LabStateFile.Load(layout);
        var record = state.Pods.FirstOrDefault(p => p.Namespace == ns && p.Name == name);
        if (record is null)
        {
            return;
        }

        if (record.Listener is { } listener)
        {
            await DetachedProcess.StopAsync(listener, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }

        if (state.Hosts.FirstOrDefault(h => h.Name == record.Host) is { } host && File.Exists(LabLayout.NetnsPath(host.Netns)))
        {
            if (record.Publish.Count > 0 && Binaries.StandardPluginDirectories.Any(d => File.Exists(Path.Combine(d, PortMapPlugin))))
            {
                await PortMapAsync(state, host, record, "DEL", null, cancellationToken).ConfigureAwait(false);
            }

            var result = await ExecPluginAsync(state, host, record, "DEL", cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new LabException($"CNI DEL of {record.Id} on {host.Name} failed: {result.Output.Trim()} {result.Error.Trim()}");
            }
        }

        await LabDown.DeleteNetnsAsync(record.Netns, cancellationToken).ConfigureAwait(false);
        await LabStateFile.UpdateAsync(layout, s => s.Pods.RemoveAll(p => p.Namespace == ns && p.Name == name), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pod's IPv4 address and its IPv6 address (empty when the lab assigns none).</summary>
    private static async Task<(string Address, string Address6)> CniAddAsync(LabState state, LabHost host, LabPod pod, CancellationToken cancellationToken)
    {
        var result = await ExecPluginAsync(state, host, pod, "ADD", cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LabException($"CNI ADD of {pod.Id} on {host.Name} failed (exit {result.ExitCode}): {result.Output.Trim()} {result.Error.Trim()}");
        }

        try
        {
            var addresses = JsonNode.Parse(result.Output)?["ips"]?.AsArray().Select(ip => ip?["address"]?.GetValue<string>()).OfType<string>().ToList() ?? [];
            var address = addresses.FirstOrDefault(a => !a.Contains(':', StringComparison.Ordinal))
                ?? throw new LabException($"CNI ADD of {pod.Id} returned no IPv4 address: {result.Output.Trim()}");
            var address6 = addresses.FirstOrDefault(a => a.Contains(':', StringComparison.Ordinal));
            if (state.Ipv6 && address6 is null)
            {
                throw new LabException($"CNI ADD of {pod.Id} returned no IPv6 address: {result.Output.Trim()}");
            }

            if (pod.Publish.Count > 0)
            {
                await PortMapAsync(state, host, pod, "ADD", result.Output, cancellationToken).ConfigureAwait(false);
            }

            return (address.Split('/')[0], address6?.Split('/')[0] ?? "");
        }
        catch (JsonException e)
        {
            throw new LabException($"CNI ADD of {pod.Id} printed no JSON result: {result.Output.Trim()}", e);
        }
    }

    private static Task<Command.Result> ExecPluginAsync(LabState state, LabHost host, LabPod pod, string command, CancellationToken cancellationToken) =>
        Command.RunAsync("ip", ["netns", "exec", host.Netns, Path.Combine(state.BinDir, Binaries.Cni)], PluginEnvironment(pod, command, state.BinDir), CniConfig.Network(state, host), cancellationToken);

    /// <summary>The chained portmap plugin (ADD with calico's result as prevResult; DEL with the same mappings).</summary>
    private static async Task PortMapAsync(LabState state, LabHost host, LabPod pod, string command, string? prevResult, CancellationToken cancellationToken)
    {
        var directory = Binaries.FindStandardPluginDirectory(PortMapPlugin);
        var result = await Command.RunAsync(
            "ip", ["netns", "exec", host.Netns, Path.Combine(directory, PortMapPlugin)], PluginEnvironment(pod, command, directory + ":" + state.BinDir),
            CniConfig.PortMap(pod.Publish, prevResult), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LabException($"CNI {command} of {pod.Id} on {host.Name}: portmap (--publish {string.Join(' ', pod.Publish)}) failed (exit {result.ExitCode}): {result.Output.Trim()} {result.Error.Trim()}");
        }
    }

    private static Dictionary<string, string> PluginEnvironment(LabPod pod, string command, string cniPath) => new(StringComparer.Ordinal)
    {
        ["CNI_COMMAND"] = command,
        ["CNI_CONTAINERID"] = pod.ContainerId,
        ["CNI_NETNS"] = LabLayout.NetnsPath(pod.Netns),
        ["CNI_IFNAME"] = "eth0",
        ["CNI_PATH"] = cniPath,
        ["CNI_ARGS"] = $"K8S_POD_NAMESPACE={pod.Namespace};K8S_POD_NAME={pod.Name};K8S_POD_INFRA_CONTAINER_ID={pod.ContainerId}",
    };

    /// <summary>Labels (plus <c>pod=&lt;name&gt;</c>) and named ports <c>serve-&lt;port&gt;-&lt;proto&gt;</c> on the pod's endpoint.</summary>
    private static async Task<string> DecorateEndpointAsync(ResourceClient client, LabPod pod, IReadOnlyDictionary<string, string> labels, IReadOnlyList<Probe> serve, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (items, _) = await client.ListAsync(ResourceKinds.WorkloadEndpoint, pod.Namespace, cancellationToken).ConfigureAwait(false);
            var endpoint = items.OfType<WorkloadEndpoint>().FirstOrDefault(w => w.Spec.Pod == pod.Name && w.Spec.ContainerID == pod.ContainerId)
                ?? throw new LabException($"the CNI plugin wrote no WorkloadEndpoint for {pod.Id}");
            var document = ResourceCodec.ToJsonNode(endpoint);
            var metadata = document["metadata"]!.AsObject();
            var labelObject = metadata["labels"] as JsonObject ?? [];
            metadata["labels"] = labelObject;
            foreach (var (key, value) in labels)
            {
                labelObject[key] = value;
            }

            labelObject["pod"] = pod.Name;
            if (serve.Count > 0)
            {
                document["spec"]!["ports"] = ConformanceWorld.NamedPorts(serve);
            }

            var result = await client.UpdateAsync(ResourceCodec.FromJsonNode(document), cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return endpoint.Metadata.Name ?? "";
            }

            if (result.Status != OperationStatus.Conflict || attempt >= 5)
            {
                throw new LabException($"cannot label the endpoint of {pod.Id}: {result.Message}");
            }
        }
    }

    /// <summary>The listener is ready when the pod reaches itself on each port (no policy applies to that path).</summary>
    private static async Task WaitForListenerAsync(LabPod pod, IReadOnlyList<Probe> serve, CancellationToken cancellationToken)
    {
        var self = new ProbeTarget(pod.Id, LabLayout.NetnsPath(pod.Netns), IPAddress.Parse(pod.Address));
        var deadline = DateTime.UtcNow + s_listenerReadyLimit;
        foreach (var probe in serve)
        {
            while (!await Prober.ReachesAsync(self, self, probe, cancellationToken).ConfigureAwait(false))
            {
                // While the launcher execs its way to the listener (sh → setsid → ip netns exec → calico-lab), its
                // /proc cmdline can read empty for an instant: only a listener gone on two looks 250 ms apart has exited.
                if (pod.Listener is { } listener && !DetachedProcess.IsRunning(listener)
                    && !await StillRunningAfterAsync(listener, cancellationToken).ConfigureAwait(false))
                {
                    throw new LabException($"the listener of {pod.Id} exited (see its log under the host's pods/ directory)");
                }

                if (DateTime.UtcNow >= deadline)
                {
                    throw new LabException(string.Create(CultureInfo.InvariantCulture, $"the listener of {pod.Id} does not answer on {probe} after {s_listenerReadyLimit.TotalSeconds} s"));
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<bool> StillRunningAfterAsync(LabProcess listener, CancellationToken cancellationToken)
    {
        await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        return DetachedProcess.IsRunning(listener);
    }

    private static Task SaveAsync(LabLayout layout, LabPod record, CancellationToken cancellationToken) =>
        LabStateFile.UpdateAsync(
            layout,
            s =>
            {
                var index = s.Pods.FindIndex(p => p.Namespace == record.Namespace && p.Name == record.Name);
                if (index >= 0)
                {
                    s.Pods[index] = record;
                }
            },
            cancellationToken);
}
