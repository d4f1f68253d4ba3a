using System.Diagnostics;
using System.Net;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier: one host as a network namespace running the real calico-node (its apphost from the test output),
/// an "outside" namespace beyond the host's eth0 (the host's default route points there, as a real host's
/// would), an embedded datastore, and pods wired exactly as the CNI plugin wires them. Everything made is
/// removed on dispose: namespaces, the agent (by PID), the temp dir.
/// Addresses: host eth0 198.18.0.1/24, outside 198.18.0.2/24, pool 10.65.0.0/16 (natOutgoing).
/// </summary>
public sealed class AgentHostFixture : IAsyncLifetime
{
    public static readonly IPAddress HostAddress = IPAddress.Parse("198.18.0.1");
    public static readonly IPAddress OutsideAddress = IPAddress.Parse("198.18.0.2");
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _namespaces = [];
    private readonly ChildProcess _processes = new();
    private EmbeddedKeyValueStore? _store;
    private Process? _agent;

    public TempDirectory Dir { get; } = new("node-kernel");

    public string HostNs => "cnh" + _suffix;

    public string OutsideNs => "cno" + _suffix;

    public ResourceClient Client { get; private set; } = null!;

    public string DatastorePath => Dir.File("calico.db");

    /// <summary>More environment for calico-node, read at the next <see cref="StartAgentAsync"/> (restart to apply).</summary>
    public Dictionary<string, string> ExtraEnvironment { get; } = [];

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("these tests program the kernel in network namespaces: run them as root (./test.sh does under .ci/run)");
        }

        Prerequisites.Require("nft");
        await AddNamespaceAsync(HostNs);
        await AddNamespaceAsync(OutsideNs);
        Sh($"ip -n {HostNs} link set lo up && ip -n {OutsideNs} link set lo up && " +
           $"ip -n {HostNs} link add eth0 type veth peer name out0 netns {OutsideNs} && " +
           $"ip -n {HostNs} addr add 198.18.0.1/24 dev eth0 && ip -n {HostNs} link set eth0 up && " +
           $"ip -n {OutsideNs} addr add 198.18.0.2/24 dev out0 && ip -n {OutsideNs} link set out0 up && " +
           $"ip -n {HostNs} route add default via 198.18.0.2 && " +
           // Without NAT the outside sees pod addresses and must route replies back through the host.
           $"ip -n {OutsideNs} route add 10.65.0.0/16 via 198.18.0.1");

        _store = new EmbeddedKeyValueStore(DatastorePath);
        Client = new ResourceClient(_store, TimeProvider.System);
        await Client.EnsureInitializedAsync(CancellationToken.None);
        await ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: lab
            spec:
              cidr: 10.65.0.0/16
              blockSize: 26
              natOutgoing: true
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: ns1
              labels:
                kubernetes.io/metadata.name: ns1
            """);
        await StartAgentAsync();
    }

    public async Task DisposeAsync()
    {
        StopAgent(kill: true);
        _processes.Dispose();
        foreach (string ns in _namespaces)
        {
            // calico-node's BIRD runs daemonised (it must outlive calico-node): everything left in our namespaces goes.
            Sh($"ip netns pids {ns} 2>/dev/null | xargs -r kill -9 2>/dev/null || true");
            Sh($"ip netns del {ns} 2>/dev/null || true");
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Dir.Dispose();
    }

    /// <summary>Starts calico-node in the host namespace and waits until it reports ready.</summary>
    public async Task StartAgentAsync()
    {
        string apphost = Path.Combine(AppContext.BaseDirectory, "calico-node");
        var environment = new Dictionary<string, string>
        {
            ["NODENAME"] = "host1",
            ["DATASTORE_TYPE"] = "embedded",
            ["CALICO_DATASTORE_PATH"] = DatastorePath,
            ["IP"] = "198.18.0.1/24",
            // Short refresh so drift repair is seen within a test; upstream's default is 90 s.
            ["FELIX_ROUTEREFRESHINTERVAL"] = "2",
            ["FELIX_NFTABLESREFRESHINTERVAL"] = "2",
            ["FELIX_IPTABLESREFRESHINTERVAL"] = "2",
            ["FELIX_PROMETHEUSMETRICSENABLED"] = "true",
            ["FELIX_LOGSEVERITYSCREEN"] = "Debug",
            // The fixture makes its own pool; upstream's default pools (an IPv6 ULA one here) would add to it.
            ["NO_DEFAULT_POOLS"] = "true",
        };
        foreach (var (key, value) in ExtraEnvironment)
        {
            environment[key] = value;
        }

        _agent = _processes.Start("ip", ["netns", "exec", HostNs, apphost, "--felix-config", Dir.File("felix.cfg"), "--state-dir", Dir.Path], environment);
        await WaitForAsync(async () => (await NetnsSockets.HttpGetAsync(HostNs, 9099, "/readiness"))?.Status == 200, TimeSpan.FromSeconds(30), "calico-node readiness");
    }

    /// <summary>SIGKILL (as a crash or OOM kill would) or SIGTERM.</summary>
    public void StopAgent(bool kill)
    {
        if (_agent is null)
        {
            return;
        }

        if (kill)
        {
            ChildProcess.Kill(_agent);
        }
        else
        {
            Sh($"kill -TERM {_agent.Id}");
            _agent.WaitForExit(10_000);
        }

        _agent.WaitForExit(10_000);
        _agent = null;
    }

    public string AgentOutput => _agent is null ? "" : _processes.OutputOf(_agent);

    /// <summary>A pod in ns1: its netns, the CNI plugin's wiring, and its WorkloadEndpoint (labels + pod=name).</summary>
    public Task<Pod> AddPodAsync(string name, string ip, params (string Key, string Value)[] labels) =>
        AddPodAsync(name, ip, ipv6: null, labels);

    /// <summary>As the IPv4-only overload, dual-stack when <paramref name="ipv6"/> is given (a /128, as from an IPv6 pool).</summary>
    public async Task<Pod> AddPodAsync(string name, string ip, string? ipv6, params (string Key, string Value)[] labels)
    {
        string netns = await AddNamespaceAsync("cnp" + _suffix + name);
        string iface = "cali" + _suffix + name.PadRight(5, '0')[..5];
        await NetworkNamespace.RunInAsync("/var/run/netns/" + HostNs, () => WorkloadInterfaces.SetUpAsync(new WorkloadInterfaceSpec
        {
            NetnsPath = "/var/run/netns/" + netns,
            ContainerIfName = "eth0",
            HostIfName = iface,
            IPv4 = [IPNetwork.Parse(ip + "/32")],
            IPv6 = ipv6 is null ? [] : [IPNetwork.Parse(ipv6 + "/128")],
        }, CancellationToken.None));
        Sh($"ip -n {netns} link set lo up");
        var allLabels = labels.ToDictionary(l => l.Key, l => l.Value);
        allLabels["pod"] = name;
        var wep = new WorkloadEndpoint { Metadata = { Name = $"host1-k8s-{name}-eth0", Namespace = "ns1", Labels = allLabels } };
        wep.Spec.Node = "host1";
        wep.Spec.Orchestrator = "k8s";
        wep.Spec.Pod = name;
        wep.Spec.Endpoint = "eth0";
        wep.Spec.InterfaceName = iface;
        wep.Spec.IpNetworks = ipv6 is null ? [ip + "/32"] : [ip + "/32", ipv6 + "/128"];
        wep.Spec.Profiles = ["kns.ns1"];
        var created = await Client.CreateAsync(wep, CancellationToken.None);
        Assert.True(created.Succeeded, created.Message);
        return new Pod(name, netns, IPAddress.Parse(ip), iface) { Address6 = ipv6 is null ? null : IPAddress.Parse(ipv6) };
    }

    /// <summary>calicoctl apply: create, or replace what exists.</summary>
    public async Task ApplyAsync(string yaml)
    {
        foreach (Resource r in ResourceCodec.Decode(yaml))
        {
            var result = await Client.CreateAsync(r, CancellationToken.None);
            if (result.Status == OperationStatus.AlreadyExists)
            {
                var kind = ResourceKinds.Of(r);
                var current = await Client.GetAsync(kind, r.Metadata.Namespace, r.Metadata.Name!, CancellationToken.None);
                r.Metadata.ResourceVersion = current!.Metadata.ResourceVersion;
                result = await Client.UpdateAsync(r, CancellationToken.None);
            }

            Assert.True(result.Succeeded, result.Message);
        }
    }

    public async Task DeleteAsync(ResourceKind kind, string? ns, string name) =>
        await Client.DeleteAsync(kind, ns, name, null, CancellationToken.None);

    public static string Sh(string command)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using Process p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' failed ({p.ExitCode}): {error}");
        }

        return output;
    }

    /// <summary>Runs <c>nft</c> in the host namespace; its output.</summary>
    public string Nft(string command) => Sh($"ip netns exec {HostNs} nft {command}");

    /// <summary>A hand edit, as an operator would make one: deletes the first rule of <c>inet calico</c>'s <paramref name="chain"/> whose listing contains <paramref name="containing"/>.</summary>
    public void DeleteNftRule(string chain, string containing)
    {
        string listing = Nft("-a list chain inet calico " + chain);
        string line = listing.Split('\n').First(l => l.Contains(containing, StringComparison.Ordinal));
        string handle = line[(line.LastIndexOf("# handle ", StringComparison.Ordinal) + 9)..].Trim();
        Nft($"delete rule inet calico {chain} handle {handle}");
    }

    /// <summary>Polls until the condition holds; fails with what was awaited (and the agent's output) on timeout.</summary>
    public Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Eventually.WaitAsync(condition, timeout, what, () => "calico-node output:\n" + AgentOutput);

    private async Task<string> AddNamespaceAsync(string name)
    {
        Sh($"ip netns add {name}");
        _namespaces.Add(name);
        await Task.CompletedTask;
        return name;
    }
}

public sealed record Pod(string Name, string Netns, IPAddress Address, string HostInterface)
{
    public IPAddress? Address6 { get; init; }
}
