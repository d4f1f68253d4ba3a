using System.Globalization;
using System.Text;
using Calico.Lab.Conformance;

namespace Calico.Lab.Cluster;

/// <summary>
/// <c>calico-lab up</c>: the fabric namespace with bridge br0 (172.30.0.1/24, forwarding on), hosts joined to it by
/// veths, the datastore initialised with the lab pool, and one calico-node per host. lab.json is written before
/// each thing is made, so a failure (or a crash) leaves nothing <c>down</c> cannot find; a failed <c>up</c> runs
/// <c>down</c> itself.
/// </summary>
public static class LabUp
{
    public static readonly TimeSpan NodeReadyLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_etcdReadyLimit = TimeSpan.FromSeconds(20);

    public static async Task<LabState> UpAsync(LabLayout layout, UpOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        options.Validate();
        if (File.Exists(layout.StateFile))
        {
            throw new LabException($"lab '{layout.Name}' is already up (state in {layout.StateDir}): run calico-lab down first");
        }

        var leftovers = (await LabDown.ListNetnsAsync(cancellationToken).ConfigureAwait(false)).Where(n => n.StartsWith(layout.NetnsPrefix, StringComparison.Ordinal)).ToList();
        if (leftovers.Count > 0)
        {
            throw new LabException($"namespaces of lab '{layout.Name}' already exist ({string.Join(", ", leftovers)}): run calico-lab down --name {layout.Name} first");
        }

        var binDir = Binaries.FindDirectory(Binaries.Cni);
        if (!options.NoNode)
        {
            Binaries.FindDirectory(Binaries.Node);
        }

        await Binaries.EnsureIpamLinkAsync(binDir, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(layout.StateDir);
        var state = new LabState
        {
            Name = layout.Name,
            StateDir = layout.StateDir,
            BinDir = binDir,
            DatastoreType = options.Datastore,
            DatastorePath = options.Datastore == "embedded" ? layout.EmbeddedDatastorePath : null,
            EtcdEndpoints = options.Datastore == "etcdv3" ? $"http://{LabLayout.FabricGateway}:{LabDatastore.EtcdClientPort}" : null,
            NoNode = options.NoNode,
        };
        for (var i = 1; i <= options.Hosts; i++)
        {
            var name = LabLayout.HostName(i);
            state.Hosts.Add(new LabHost { Name = name, Netns = layout.HostNetns(name), Address = LabLayout.FabricAddress(i).ToString(), Directory = layout.HostDir(name) });
        }

        LabStateFile.Save(layout, state);
        try
        {
            await CreateFabricAsync(layout, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < state.Hosts.Count; i++)
            {
                await CreateHostAsync(layout, state, state.Hosts[i], i + 1, cancellationToken).ConfigureAwait(false);
            }

            await StartDatastoreAsync(layout, state, cancellationToken).ConfigureAwait(false);
            if (!options.NoNode)
            {
                await StartNodesAsync(layout, state, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await LabDown.DownAsync(layout, TextWriter.Null, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await output.WriteAsync(Summary(layout, state)).ConfigureAwait(false);
        return state;
    }

    private static async Task CreateFabricAsync(LabLayout layout, CancellationToken cancellationToken)
    {
        var fabric = layout.FabricNetns;
        await Command.IpAsync(cancellationToken, "netns", "add", fabric).ConfigureAwait(false);
        await Command.IpAsync(cancellationToken, "-n", fabric, "link", "set", "lo", "up").ConfigureAwait(false);
        await Command.IpAsync(cancellationToken, "-n", fabric, "link", "add", "br0", "type", "bridge").ConfigureAwait(false);
        await Command.IpAsync(cancellationToken, "-n", fabric, "addr", "add", $"{LabLayout.FabricGateway}/{LabLayout.FabricPrefixLength}", "dev", "br0").ConfigureAwait(false);
        await Command.IpAsync(cancellationToken, "-n", fabric, "link", "set", "br0", "up").ConfigureAwait(false);
        await Command.SysctlAsync(fabric, "net.ipv4.ip_forward", "1", cancellationToken).ConfigureAwait(false);
    }

    private static async Task CreateHostAsync(LabLayout layout, LabState state, LabHost host, int index, CancellationToken cancellationToken)
    {
        var fabric = layout.FabricNetns;
        var port = string.Create(CultureInfo.InvariantCulture, $"h{index}");
        await Command.IpAsync(cancellationToken, "netns", "add", host.Netns).ConfigureAwait(false);
        await Command.IpAsync(cancellationToken, "-n", host.Netns, "link", "set", "lo", "up").ConfigureAwait(false);
        await Command.IpAsync(cancellationToken, "-n", fabric, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host.Netns).ConfigureAwait(false);
        await Command.IpAsync(cancellationToken, "-n", fabric, "link", "set", port, "master", "br0", "up").ConfigureAwait(false);
        await Command.IpAsync(cancellationToken, "-n", host.Netns, "addr", "add", $"{host.Address}/{LabLayout.FabricPrefixLength}", "dev", "eth0").ConfigureAwait(false);
        await Command.IpAsync(cancellationToken, "-n", host.Netns, "link", "set", "eth0", "up").ConfigureAwait(false);
        // A host with no default route makes proxy ARP on its cali interfaces silent.
        await Command.IpAsync(cancellationToken, "-n", host.Netns, "route", "add", "default", "via", LabLayout.FabricGateway).ConfigureAwait(false);
        await Command.SysctlAsync(host.Netns, "net.ipv4.ip_forward", "1", cancellationToken).ConfigureAwait(false);

        Directory.CreateDirectory(host.Directory);
        await File.WriteAllTextAsync(Path.Combine(host.Directory, "nodename"), host.Name, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(host.Directory, "felix.cfg"), "[global]\n# Written by calico-lab; settings come from the environment calico-node is started with.\n", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(host.Directory, "10-calico.conflist"), CniConfig.ConfList(state, host), cancellationToken).ConfigureAwait(false);
    }

    private static async Task StartDatastoreAsync(LabLayout layout, LabState state, CancellationToken cancellationToken)
    {
        if (state.DatastoreType == "etcdv3")
        {
            await StartEtcdAsync(layout, state, cancellationToken).ConfigureAwait(false);
        }

        await using var datastore = LabDatastore.Open(layout, state);
        var deadline = DateTime.UtcNow + s_etcdReadyLimit;
        while (true)
        {
            try
            {
                await datastore.Client.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Calico.Datastore.DatastoreUnavailableException) when (DateTime.UtcNow < deadline)
            {
                // etcd is still starting.
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }

        await ConformanceWorld.CreatePoolAsync(datastore.Client, LabLayout.PoolCidr, cancellationToken).ConfigureAwait(false);
    }

    private static async Task StartEtcdAsync(LabLayout layout, LabState state, CancellationToken cancellationToken)
    {
        var etcd = Prerequisite("etcd", "install Debian package etcd-server");
        Directory.CreateDirectory(layout.EtcdDataDir);
        var client = $"http://{LabLayout.FabricGateway}:{LabDatastore.EtcdClientPort}";
        var pid = DetachedProcess.StartInNetns(
            layout.FabricNetns,
            etcd,
            ["--name", layout.Name, "--data-dir", layout.EtcdDataDir, "--listen-client-urls", client, "--advertise-client-urls", client,
             "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
             "--initial-cluster", layout.Name + "=http://127.0.0.1:2380"],
            new Dictionary<string, string>(StringComparer.Ordinal),
            Path.Combine(layout.StateDir, "etcd.log"));
        await LabStateFile.UpdateAsync(layout, s => s.Etcd = new LabProcess { Pid = pid, Marker = layout.EtcdDataDir }, cancellationToken).ConfigureAwait(false);
        state.Etcd = new LabProcess { Pid = pid, Marker = layout.EtcdDataDir };
    }

    private static async Task StartNodesAsync(LabLayout layout, LabState state, CancellationToken cancellationToken)
    {
        var bin = Path.Combine(Binaries.FindDirectory(Binaries.Node), Binaries.Node);
        foreach (var host in state.Hosts)
        {
            var environment = LabDatastore.ClientEnvironment(state);
            environment["NODENAME"] = host.Name;
            environment["IP"] = host.Address;
            environment["FELIX_HEALTHENABLED"] = "true";
            environment["FELIX_PROMETHEUSMETRICSENABLED"] = "true";
            environment["FELIX_LOGSEVERITYSCREEN"] = "Info";
            var felixConfig = Path.Combine(host.Directory, "felix.cfg");
            var pid = DetachedProcess.StartInNetns(host.Netns, bin, ["--felix-config", felixConfig, "--state-dir", host.Directory], environment, Path.Combine(host.Directory, "calico-node.log"));
            host.Node = new LabProcess { Pid = pid, Marker = felixConfig };
            LabStateFile.Save(layout, Merge(layout, state));
        }

        await Task.WhenAll(state.Hosts.Select(h => NodeReadiness.WaitAsync(h, Path.Combine(h.Directory, "calico-node.log"), NodeReadyLimit, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>lab.json as on disk with this command's hosts (node PIDs) written over it.</summary>
    private static LabState Merge(LabLayout layout, LabState state)
    {
        var current = LabStateFile.Load(layout);
        current.Hosts = state.Hosts;
        return current;
    }

    private static string Prerequisite(string binary, string hint)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, binary);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new LabException($"{binary} not found on PATH: {hint}");
    }

    private static string Summary(LabLayout layout, LabState state)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"lab '{layout.Name}' is up: {state.Hosts.Count} host(s), datastore {state.DatastoreType}, state in {layout.StateDir}\n");
        foreach (var host in state.Hosts)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {host.Name}  netns {host.Netns}  {host.Address}  {(host.Node is { } node ? "calico-node pid " + node.Pid.ToString(CultureInfo.InvariantCulture) : "no calico-node")}\n");
        }

        sb.Append("Point calicoctl at it:\n");
        var environment = LabDatastore.ClientEnvironment(state);
        sb.Append("  export ").Append(string.Join(' ', environment.Select(e => e.Key + "=" + Command.Quote(e.Value)))).Append('\n');
        if (state.DatastoreType == "etcdv3")
        {
            sb.Append(CultureInfo.InvariantCulture, $"  (etcd listens on the fabric only: run calicoctl as 'ip netns exec {layout.FabricNetns} calicoctl ...')\n");
        }

        return sb.ToString();
    }
}
