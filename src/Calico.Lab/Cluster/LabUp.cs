using System.Globalization;
using System.Text;
using Calico.Lab.Conformance;

namespace Calico.Lab.Cluster;

/// <summary>
/// <c>calico-lab up</c>: the fabric router between two subnets, the outside namespace, hosts joined to the fabric by
/// veths, optionally the top-of-rack router with its BIRD, the datastore initialised with the lab's pools (IPv4 and
/// IPv6), the flow aggregator (<see cref="LabFlows"/>), and one calico-node per host, pointed at it. lab.json is written before each thing is made, so a failure (or a crash)
/// leaves nothing <c>down</c> cannot find; a failed <c>up</c> runs <c>down</c> itself.
/// </summary>
public static class LabUp
{
    private static readonly TimeSpan s_etcdReadyLimit = TimeSpan.FromSeconds(20);

    /// <summary>Where <c>calicoctl flows</c> finds the aggregator's gRPC API when <c>--server</c> is not given.</summary>
    public const string FlowsServerVariable = "CALICO_FLOWS_SERVER";

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
            var nodeDirectory = Binaries.FindDirectory(Binaries.Node);
            if (options.Bpf)
            {
                LabBpf.CheckObjects(nodeDirectory);
            }
        }

        if (options.Flows)
        {
            Binaries.FindDirectory(Binaries.Goldmane);
        }

        await Binaries.EnsureIpamLinkAsync(binDir, cancellationToken).ConfigureAwait(false);
        PrivateDirectory.Create(layout.StateDir);
        var state = new LabState
        {
            Name = layout.Name,
            StateDir = layout.StateDir,
            BinDir = binDir,
            DatastoreType = options.Datastore,
            DatastorePath = options.Datastore == "embedded" ? layout.EmbeddedDatastorePath : null,
            EtcdEndpoints = options.Datastore == "etcdv3" ? LabEtcd.Endpoints(options.EtcdMembers ?? 1) : null,
            NoNode = options.NoNode,
            Encapsulation = options.Encapsulation,
            Dataplane = options.Dataplane,
            Ipv6 = true,
            Tor = options.Tor,
        };
        for (var i = 1; i <= options.Hosts; i++)
        {
            var name = LabLayout.HostName(i);
            state.Hosts.Add(new LabHost
            {
                Name = name,
                Netns = layout.HostNetns(name),
                Address = FabricAddressing.HostAddress(i),
                Address6 = FabricAddressing.HostAddress6(i),
                Subnet = FabricAddressing.SubnetOf(i),
                Directory = layout.HostDir(name),
                BpfRoot = options.Bpf ? LabBpf.Root(layout.HostDir(name)) : null,
            });
        }

        LabStateFile.Save(layout, state);
        try
        {
            await LabTopology.CreateFabricAsync(layout, cancellationToken).ConfigureAwait(false);
            await LabTopology.CreateOutsideAsync(layout, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < state.Hosts.Count; i++)
            {
                await CreateHostAsync(layout, state, state.Hosts[i], i + 1, cancellationToken).ConfigureAwait(false);
            }

            if (options.Tor)
            {
                await LabTopology.CreateTorAsync(layout, cancellationToken).ConfigureAwait(false);
                state.TorBird = await TorRouter.StartAsync(
                    layout, state.Hosts, p => LabStateFile.Save(layout, Merge(layout, state, s => s.TorBird = p)), cancellationToken).ConfigureAwait(false);
            }

            await StartDatastoreAsync(layout, state, cancellationToken).ConfigureAwait(false);
            if (options.Flows)
            {
                state.Flows = await LabFlows.StartAsync(layout, cancellationToken).ConfigureAwait(false);
            }

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

    private static async Task CreateHostAsync(LabLayout layout, LabState state, LabHost host, int index, CancellationToken cancellationToken)
    {
        await LabTopology.CreateHostAsync(layout, host, index, cancellationToken).ConfigureAwait(false);
        // Per-flow packet and byte counters in conntrack, which flow logs report (the machine's own setting is untouched).
        await Command.SysctlAsync(host.Netns, "net.netfilter.nf_conntrack_acct", "1", cancellationToken).ConfigureAwait(false);

        PrivateDirectory.Create(host.Directory);
        await File.WriteAllTextAsync(Path.Combine(host.Directory, "nodename"), host.Name, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(host.Directory, "felix.cfg"), "[global]\n# Written by calico-lab; settings come from the environment calico-node is started with.\n", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(host.Directory, "10-calico.conflist"), CniConfig.ConfList(state, host), cancellationToken).ConfigureAwait(false);
        if (host.BpfRoot is { } bpfRoot)
        {
            // Mounted here, in calico-lab's mount namespace, so it outlives calico-node; calico-node's (ip netns exec
            // gives it its own) starts with a copy of it.
            LabBpf.Mount(bpfRoot);
        }
    }

    private static async Task StartDatastoreAsync(LabLayout layout, LabState state, CancellationToken cancellationToken)
    {
        if (state.DatastoreType == "etcdv3")
        {
            await LabEtcd.StartAsync(layout, state, state.EtcdEndpoints!.Split(',').Length, cancellationToken).ConfigureAwait(false);
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

        await LabPools.CreateAsync(datastore.Client, state.Encapsulation, cancellationToken).ConfigureAwait(false);
        if (state.Dataplane == UpOptions.DataplaneBpf)
        {
            // Before any calico-node starts: none of them programs nftables workload policy first.
            await LabBpf.EnableAsync(datastore.Client, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task StartNodesAsync(LabLayout layout, LabState state, CancellationToken cancellationToken)
    {
        foreach (var host in state.Hosts)
        {
            host.Node = LabNodes.Start(state, host);
            LabStateFile.Save(layout, Merge(layout, state, s => s.Hosts = state.Hosts));
        }

        await Task.WhenAll(state.Hosts.Select(h => LabNodes.WaitReadyAsync(h, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>lab.json as on disk with this command's change written over it.</summary>
    private static LabState Merge(LabLayout layout, LabState state, Action<LabState> change)
    {
        var current = LabStateFile.TryLoad(layout) ?? state;
        change(current);
        return current;
    }

    /// <summary>What <c>up</c> prints at the end and <c>status</c> prints again: settings, hosts, endpoints.</summary>
    public static string Summary(LabLayout layout, LabState state)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(state);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"lab '{layout.Name}' is up: {state.Hosts.Count} host(s), datastore {state.DatastoreType}, dataplane {state.Dataplane}, state in {layout.StateDir}\n");
        foreach (var host in state.Hosts)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {host.Name}  netns {host.Netns}  {host.Address} {host.Address6} (subnet {host.Subnet})  {(host.Node is { } node ? "calico-node pid " + node.Pid.ToString(CultureInfo.InvariantCulture) : "no calico-node")}{(host.BpfRoot is { } bpf ? "  bpffs " + bpf : "")}\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"  pools {LabLayout.PoolCidr} and {LabLayout.Pool6Cidr} (vxlanMode {UpOptions.VxlanMode(state.Encapsulation)}); outside: netns {layout.OutsideNetns} {FabricAddressing.OutsideAddress} (calico-lab exec outside -- <command>)\n");
        if (state.TorBird is { } tor)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  top-of-rack router: netns {layout.TorNetns} {FabricAddressing.TorAddress} AS {FabricAddressing.TorAsNumber}, BIRD pid {tor.Pid}: birdc -s {layout.TorSocket} show protocols\n");
            sb.Append(CultureInfo.InvariantCulture, $"    (calico-node peers with it once you create a BGPPeer {{peerIP: {FabricAddressing.TorAddress}, asNumber: {FabricAddressing.TorAsNumber}}})\n");
        }

        if (state.Flows is { } flows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  flow aggregator: goldmane in netns {layout.FabricNetns} on {flows.Server} (every calico-node's flowLogsGoldmaneServer, flowLogsFlushInterval {flows.FlushIntervalSeconds}s), log {layout.FlowsLog}\n");
            sb.Append(CultureInfo.InvariantCulture, $"flows gRPC: {flows.Grpc}\n");
            sb.Append(CultureInfo.InvariantCulture, $"flows web: {flows.Web}\n");
        }

        sb.Append("Point calicoctl at it:\n");
        var environment = LabDatastore.ClientEnvironment(state);
        if (state.Flows is { } relayed)
        {
            environment[FlowsServerVariable] = relayed.Grpc;
        }

        sb.Append("  export ").Append(string.Join(' ', environment.Select(e => e.Key + "=" + Command.Quote(e.Value)))).Append('\n');
        if (state.DatastoreType == "etcdv3")
        {
            sb.Append(CultureInfo.InvariantCulture, $"  (etcd listens on the fabric only: run calicoctl as 'ip netns exec {layout.FabricNetns} calicoctl ...')\n");
            foreach (var member in state.EtcdMembers)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  etcd member {member.Name} at {member.ClientUrl}, pid {member.Process?.Pid ?? 0}, log {Path.Combine(layout.StateDir, member.Name + ".log")}\n");
            }
        }

        var first = state.Hosts[0];
        sb.Append("BGP sessions of a host:\n");
        sb.Append(CultureInfo.InvariantCulture, $"  ip netns exec {first.Netns} env CALICO_BIRD_SOCKET={Command.Quote(LabLayout.BirdSocket(first))} calicoctl node status\n");

        return sb.ToString();
    }
}
