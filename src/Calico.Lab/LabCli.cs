using System.Globalization;
using Calico.Lab.Cluster;
using Calico.Lab.Conformance;
using Calico.Reachability;

namespace Calico.Lab;

/// <summary>calico-lab's command line; <see cref="RunAsync"/> is the whole program, so tests run it in-process.</summary>
public static class LabCli
{
    public const string Usage =
        "usage: calico-lab <command> [--name <lab>] [--state-dir <dir>] ...\n" +
        "  up [--hosts N] [--datastore embedded|etcdv3] [--no-node] [--no-flows] [--tor] [--encapsulation vxlan-crosssubnet|vxlan|none]\n" +
        "     [--etcd-members 1|3|5] [--dataplane nftables|bpf]\n" +
        "                 hosts host1..hostN as network namespaces on a two-subnet fabric (host i on subnet 1 when\n" +
        "                 i % 3 == 0), an outside network, the datastore with pools 10.65.0.0/16 and fd00:65::/48,\n" +
        "                 one calico-node per host sending flow logs every 15 s to the flow aggregator (goldmane;\n" +
        "                 gRPC and web view relayed to loopback ports, printed; --no-flows: none);\n" +
        "                 --tor adds a top-of-rack router (BIRD, AS 65000, 172.30.0.254);\n" +
        "                 --encapsulation: the pools' vxlanMode, default vxlan-crosssubnet (VXLAN to hosts across the\n" +
        "                 fabric router, plain routing within a subnet); none = BGP only: the fabric router knows no pod\n" +
        "                 routes, so pods on host3, host6, ... are unreachable from the other subnet (up warns)\n" +
        "                 --etcd-members N (with --datastore etcdv3): N etcd processes forming one cluster on the fabric,\n" +
        "                 member i on 172.30.0.1:(2379+100*i); every client is given every member (ETCD_ENDPOINTS), so\n" +
        "                 the lab survives losing a minority of them (kill one by the pid 'up' prints)\n" +
        "                 --dataplane: what calico-node programs, default nftables; bpf = the eBPF dataplane\n" +
        "                 (FelixConfiguration default bpfEnabled: true, a bpffs per host in its state directory)\n" +
        "  run <host> <ns/name> [--labels k=v,...] [--serve TCP/80,UDP/81,...] [--publish <hostPort>:<port>[/tcp|udp]]...\n" +
        "                 a Kubernetes-style pod wired by the calico CNI plugin, with listeners on the given ports;\n" +
        "                 --publish (repeatable) maps the host's port to the pod's through the chained portmap plugin\n" +
        "  exec <ns/name|hostN|outside|tor|fabric> -- <command>...   run a command inside that network namespace\n" +
        "  matrix [--probe TCP/80]... [--family 4|6]   who reaches whom, with real packets: . allowed, X denied (dropped:\n" +
        "                 no answer), o not listening (refused: the pod does not serve that port), ! unreachable (no route)\n" +
        "  status                           the lab's settings, hosts and endpoints, as up printed them\n" +
        "  down                             remove every namespace, interface and process of the lab\n" +
        "  serve --identity <name> TCP/80,UDP/81   listen (TCP answers the name, UDP echoes it); e.g. in outside\n" +
        "  conformance [--engine | --cluster [--hosts N] [--tor] [--encapsulation E] [--dataplane D]] <case file or directory>...\n" +
        "    --engine   compute every case with the policy engine alone (default)\n" +
        "    --cluster  probe real packets on a lab it brings up and tears down itself\n" +
        "Options: --name <lab> (default lab), --state-dir <dir> (default /var/run/calico-lab/<lab>)\n";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            await (args.Count == 0 ? stderr : stdout).WriteAsync(Usage).ConfigureAwait(false);
            return args.Count == 0 ? 1 : 0;
        }

        var command = args[0];
        try
        {
            var parsed = ParsedArguments.Parse(command, args.Skip(1).ToList());
            if (parsed.Help)
            {
                await stdout.WriteAsync(Usage).ConfigureAwait(false);
                return 0;
            }

            return command switch
            {
                "conformance" => await ConformanceAsync(parsed, stdout, stderr, cancellationToken).ConfigureAwait(false),
                "up" => await UpAsync(parsed, stdout, stderr, cancellationToken).ConfigureAwait(false),
                "run" => await RunPodAsync(parsed, stdout, cancellationToken).ConfigureAwait(false),
                "exec" => await ExecAsync(parsed, stdout, stderr, cancellationToken).ConfigureAwait(false),
                "matrix" => await MatrixAsync(parsed, stdout, cancellationToken).ConfigureAwait(false),
                "status" => await StatusAsync(parsed, stdout).ConfigureAwait(false),
                "down" => await DownAsync(parsed, stdout, cancellationToken).ConfigureAwait(false),
                "serve" => await ServeAsync(parsed, stdout, cancellationToken).ConfigureAwait(false),
                "relay" => await RelayAsync(parsed, stdout, cancellationToken).ConfigureAwait(false),
                _ => throw new LabException($"unknown command '{command}'\n{Usage}"),
            };
        }
        catch (LabException e)
        {
            await stderr.WriteLineAsync($"calico-lab {command}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> ConformanceAsync(ParsedArguments parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (parsed.Positionals.Count == 0)
        {
            throw new LabException($"no case file or directory given\n{Usage}");
        }

        if (!parsed.Cluster && parsed.Dataplane is { } dataplane)
        {
            throw new LabException($"--dataplane '{dataplane}' needs --cluster (the engine computes policy without a dataplane)");
        }

        IReadOnlyList<string> files;
        try
        {
            files = ConformanceRunner.FindCases(parsed.Positionals);
        }
        catch (FileNotFoundException e)
        {
            throw new LabException(e.Message, e);
        }

        if (files.Count == 0)
        {
            await stderr.WriteLineAsync("calico-lab conformance: no case (*.yaml) found in " + string.Join(", ", parsed.Positionals)).ConfigureAwait(false);
        }

        if (!parsed.Cluster || files.Count == 0)
        {
            return await ConformanceRunner.RunAsync(files, stdout, cancellationToken).ConfigureAwait(false);
        }

        if (FabricWarnings.Unreachable(parsed.UpOptions()) is { } warning)
        {
            await stderr.WriteLineAsync(warning).ConfigureAwait(false);
        }

        var worlds = await ClusterWorldFactory.StartAsync(parsed.UpOptions(), cancellationToken).ConfigureAwait(false);
        await using (worlds.ConfigureAwait(false))
        {
            return await ConformanceRunner.RunAsync(files, stdout, worlds, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<int> UpAsync(ParsedArguments parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        parsed.ExpectPositionals(0, "");
        if (FabricWarnings.Unreachable(parsed.UpOptions()) is { } warning)
        {
            await stderr.WriteLineAsync(warning).ConfigureAwait(false);
        }

        await LabUp.UpAsync(parsed.Layout(), parsed.UpOptions(), stdout, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> RunPodAsync(ParsedArguments parsed, TextWriter stdout, CancellationToken cancellationToken)
    {
        parsed.ExpectPositionals(2, "<host> <ns/name>");
        var pod = ArgumentParsers.ParsePod(parsed.Positionals[1]);
        var layout = parsed.Layout();
        var state = LabStateFile.Load(layout);
        await using var datastore = LabDatastore.Open(layout, state);
        var record = await LabWorkloads.RunAsync(
            layout, datastore, parsed.Positionals[0], pod, parsed.Labels ?? new Dictionary<string, string>(), parsed.Serve ?? [], parsed.Publish, LabWorkloads.ListenerMode.DetachedProcess, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync($"pod {record.Id} on {record.Host}: {record.Address} (netns {record.Netns}, endpoint {record.EndpointName}){(record.Serve.Count > 0 ? ", serving " + string.Join(',', record.Serve) : "")}{Published(state, record)}").ConfigureAwait(false);
        return 0;
    }

    private static string Published(LabState state, LabPod record) =>
        record.Publish.Count == 0 ? "" : $", published on {state.Hosts.Single(h => h.Name == record.Host).Address} as {string.Join(' ', record.Publish)}";

    private static async Task<int> ExecAsync(ParsedArguments parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (parsed.Positionals.Count != 1 || parsed.Rest.Count == 0)
        {
            throw new LabException("usage: calico-lab exec <ns/name|hostN|outside|tor|fabric> -- <command>...");
        }

        return await LabInspect.ExecAsync(parsed.Layout(), parsed.Positionals[0], parsed.Rest, stdout, stderr, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> MatrixAsync(ParsedArguments parsed, TextWriter stdout, CancellationToken cancellationToken)
    {
        parsed.ExpectPositionals(0, "");
        await stdout.WriteAsync(await LabInspect.MatrixAsync(parsed.Layout(), parsed.Probes, parsed.Family ?? 4, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> StatusAsync(ParsedArguments parsed, TextWriter stdout)
    {
        parsed.ExpectPositionals(0, "");
        var layout = parsed.Layout();
        await stdout.WriteAsync(LabUp.Summary(layout, LabStateFile.Load(layout))).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> DownAsync(ParsedArguments parsed, TextWriter stdout, CancellationToken cancellationToken)
    {
        parsed.ExpectPositionals(0, "");
        await LabDown.DownAsync(parsed.Layout(), stdout, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Hidden: the listener process <c>run</c> starts inside a pod's namespace.</summary>
    private static async Task<int> ServeAsync(ParsedArguments parsed, TextWriter stdout, CancellationToken cancellationToken)
    {
        parsed.ExpectPositionals(1, "TCP/80,UDP/81,...");
        var probes = ArgumentParsers.ParseServe(parsed.Positionals[0]);
        var identity = parsed.Identity ?? throw new LabException("serve needs --identity <ns/name>");
        var listener = await ServeListener.StartAsync(identity, probes, null, cancellationToken).ConfigureAwait(false);
        await using (listener.ConfigureAwait(false))
        {
            await stdout.WriteLineAsync($"{identity} serving {string.Join(',', probes)}").ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            await listener.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Hidden: the loopback relay to the lab's flow aggregator that <c>up</c> starts (see <see cref="RelayProcess"/>).</summary>
    private static async Task<int> RelayAsync(ParsedArguments parsed, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (parsed.Positionals.Count == 0 || parsed.Netns is null || parsed.PortsFile is null)
        {
            throw new LabException("usage: calico-lab relay --netns <netns> --ports-file <file> <address:port>...");
        }

        await RelayProcess.RunAsync(parsed.Netns, parsed.PortsFile, [.. parsed.Positionals.Select(RelayProcess.ParseTarget)], stdout, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Options of every command, each accepted only where it means something.</summary>
    private sealed class ParsedArguments
    {
        private static readonly Dictionary<string, string[]> s_allowed = new(StringComparer.Ordinal)
        {
            ["conformance"] = ["--engine", "--cluster", "--hosts", "--no-node", "--no-flows", "--tor", "--encapsulation", "--dataplane"],
            ["up"] = ["--name", "--state-dir", "--hosts", "--datastore", "--no-node", "--no-flows", "--tor", "--encapsulation", "--etcd-members", "--dataplane"],
            ["run"] = ["--name", "--state-dir", "--labels", "--serve", "--publish"],
            ["exec"] = ["--name", "--state-dir"],
            ["matrix"] = ["--name", "--state-dir", "--probe", "--family"],
            ["status"] = ["--name", "--state-dir"],
            ["down"] = ["--name", "--state-dir"],
            ["serve"] = ["--identity"],
            ["relay"] = ["--netns", "--ports-file"],
        };

        private string? _name;
        private string? _stateDir;

        public List<string> Positionals { get; } = [];

        /// <summary>Everything after <c>--</c> (exec's command).</summary>
        public List<string> Rest { get; } = [];

        public bool Help { get; private set; }

        public bool Cluster { get; private set; }

        public bool NoNode { get; private set; }

        public bool NoFlows { get; private set; }

        public string? Netns { get; private set; }

        public string? PortsFile { get; private set; }

        public bool Tor { get; private set; }

        public string? Encapsulation { get; private set; }

        public int? Family { get; private set; }

        public int? Hosts { get; private set; }

        public string? Datastore { get; private set; }

        public int? EtcdMembers { get; private set; }

        /// <summary><c>--dataplane</c>, validated as given (null: not given, nftables).</summary>
        public string? Dataplane { get; private set; }

        public IReadOnlyDictionary<string, string>? Labels { get; private set; }

        public IReadOnlyList<Probe>? Serve { get; private set; }

        public List<Probe> Probes { get; } = [];

        /// <summary><c>--publish</c>, in the order given (repeatable).</summary>
        public List<PortMapping> Publish { get; } = [];

        public string? Identity { get; private set; }

        public string Command { get; private set; } = "";

        public static ParsedArguments Parse(string command, List<string> args)
        {
            if (!s_allowed.TryGetValue(command, out var allowed))
            {
                throw new LabException($"unknown command '{command}'\n{Usage}");
            }

            var parsed = new ParsedArguments { Command = command };
            for (var i = 0; i < args.Count; i++)
            {
                var arg = args[i];
                if (arg == "--")
                {
                    parsed.Rest.AddRange(args.Skip(i + 1));
                    break;
                }

                if (arg is "-h" or "--help")
                {
                    parsed.Help = true;
                    continue;
                }

                if (!arg.StartsWith('-') || arg == "-")
                {
                    parsed.Positionals.Add(arg);
                    continue;
                }

                if (!allowed.Contains(arg))
                {
                    throw new LabException($"unknown option '{arg}'\n{Usage}");
                }

                switch (arg)
                {
                    case "--engine":
                        parsed.Cluster = false;
                        break;
                    case "--cluster":
                        parsed.Cluster = true;
                        break;
                    case "--no-node":
                        parsed.NoNode = true;
                        break;
                    case "--no-flows":
                        parsed.NoFlows = true;
                        break;
                    case "--tor":
                        parsed.Tor = true;
                        break;
                    default:
                        if (i + 1 >= args.Count)
                        {
                            throw new LabException($"{arg} needs a value");
                        }

                        parsed.SetValue(arg, args[++i]);
                        break;
                }
            }

            return parsed;
        }

        private void SetValue(string option, string value)
        {
            switch (option)
            {
                case "--name":
                    _name = value;
                    break;
                case "--state-dir":
                    _stateDir = value;
                    break;
                case "--hosts":
                    Hosts = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var hosts) ? hosts : throw new LabException($"--hosts '{value}' is not a number");
                    break;
                case "--datastore":
                    Datastore = value;
                    break;
                case "--etcd-members":
                    EtcdMembers = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var members) ? members : throw new LabException($"--etcd-members '{value}' is not a number");
                    break;
                case "--encapsulation":
                    Encapsulation = value;
                    break;
                case "--dataplane":
                    Dataplane = Calico.Lab.Cluster.UpOptions.ValidateDataplane(value);
                    break;
                case "--family":
                    Family = value is "4" or "6" ? value[0] - '0' : throw new LabException($"--family '{value}' is not 4 or 6");
                    break;
                case "--labels":
                    Labels = ArgumentParsers.ParseLabels(value);
                    break;
                case "--serve":
                    Serve = ArgumentParsers.ParseServe(value);
                    break;
                case "--probe":
                    Probes.AddRange(value.Split(',', StringSplitOptions.TrimEntries).Select(p => Probe.TryParse(p, out var probe) && probe.Value.Protocol is Packet.Tcp or Packet.Udp
                        ? probe.Value
                        : throw new LabException($"--probe '{p}' is not TCP/<port> or UDP/<port>")));
                    break;
                case "--publish":
                    Publish.Add(ArgumentParsers.ParsePublish(value));
                    ArgumentParsers.RequireDistinctHostPorts(Publish);
                    break;
                case "--identity":
                    Identity = value;
                    break;
                case "--netns":
                    Netns = value;
                    break;
                case "--ports-file":
                    PortsFile = value;
                    break;
                default:
                    throw new LabException($"unknown option '{option}'");
            }
        }

        public LabLayout Layout() => LabLayout.Create(_name, _stateDir);

        public UpOptions UpOptions() => new(Hosts ?? 1, Datastore ?? "embedded", NoNode, Tor, Encapsulation ?? Calico.Lab.Cluster.UpOptions.EncapsulationVxlanCrossSubnet, NoFlows) { EtcdMembers = EtcdMembers, Dataplane = Dataplane ?? Calico.Lab.Cluster.UpOptions.DataplaneNftables };

        public void ExpectPositionals(int count, string what)
        {
            if (Positionals.Count != count)
            {
                throw new LabException(count == 0
                    ? $"unexpected argument '{Positionals[0]}'"
                    : $"expects {what}, got {(Positionals.Count == 0 ? "nothing" : string.Join(' ', Positionals))}");
            }
        }
    }
}
