using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Cni.Tests;

/// <summary>
/// Port mapping as a runtime asks for it: <see cref="PodmanFixture"/> (whose conflists chain portmap after calico)
/// plus the real calico-node programming the same host namespace from the same embedded datastore (policy
/// dataplane only: CALICO_NETWORKING_BACKEND=none), and an outside namespace beyond the host's heth0.
/// Addresses: host heth0 198.19.0.1/24; outside out0 198.19.0.2/24 and 198.19.0.3/24 (two sources for policy).
/// Baseline policy: GlobalNetworkPolicy allow-outside-web lets 198.19.0.0/24 reach calnet workloads on TCP 80 (the
/// network's profile admits only its own members). Dispose stops calico-node (by PID), then podman removes its
/// containers, then the namespaces go.
/// </summary>
public sealed class PortMappingFixture : IAsyncLifetime
{
    public static readonly IPAddress HostAddress = IPAddress.Parse("198.19.0.1");
    public static readonly IPAddress OutsideAllowed = IPAddress.Parse("198.19.0.2");
    public static readonly IPAddress OutsideDenied = IPAddress.Parse("198.19.0.3");
    private readonly ChildProcess _processes = new();
    private Process? _agent;

    public PodmanFixture Podman { get; } = new();

    public KernelFixture Kernel => Podman.Kernel;

    public string OutsideNs { get; } = "cnio" + Guid.NewGuid().ToString("N")[..8];

    public bool Ready { get; private set; }

    public string AgentOutput => _agent is null ? "" : _processes.OutputOf(_agent);

    public async Task InitializeAsync()
    {
        await Podman.InitializeAsync();
        if (!Podman.Ready)
        {
            return;
        }

        Prerequisites.Require("iptables");
        await Kernel.AddNamespaceAsync(OutsideNs);
        string host = Kernel.HostNs;
        await Shell.ShAsync(
            $"ip -n {OutsideNs} link set lo up && ip -n {host} link add heth0 type veth peer name out0 netns {OutsideNs} && " +
            $"ip -n {host} addr add 198.19.0.1/24 dev heth0 && ip -n {host} link set heth0 up && " +
            $"ip -n {OutsideNs} addr add 198.19.0.2/24 dev out0 && ip -n {OutsideNs} addr add 198.19.0.3/24 dev out0 && ip -n {OutsideNs} link set out0 up");
        await ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: allow-outside-web
            spec:
              order: 100
              selector: has(calnet)
              types: [Ingress]
              ingress:
              - action: Allow
                protocol: TCP
                source:
                  nets: [198.19.0.0/24]
                destination:
                  ports: [80]
            """);
        StartAgent();
        await WaitForAsync(async () => (await ExchangeAsync(host, null, IPAddress.Loopback, 9099, "GET /readiness HTTP/1.0\r\n\r\n")) is { Length: >= 12 } r && r[9..12] == "200", "calico-node readiness");
        Ready = true;
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            ChildProcess.Kill(_agent);
            _agent.WaitForExit(10_000);
        }

        _processes.Dispose();
        await Podman.DisposeAsync();
    }

    /// <summary>calicoctl apply: create, or replace what exists (the embedded store is shared with calico-node and the plugin).</summary>
    public async Task ApplyAsync(string yaml) => await Kernel.WithClientsAsync(async (client, _) =>
    {
        foreach (Resource r in ResourceCodec.Decode(yaml))
        {
            var result = await client.CreateAsync(r, CancellationToken.None);
            if (result.Status == OperationStatus.AlreadyExists)
            {
                var current = await client.GetAsync(ResourceKinds.Of(r), r.Metadata.Namespace, r.Metadata.Name!, CancellationToken.None);
                r.Metadata.ResourceVersion = current!.Metadata.ResourceVersion;
                result = await client.UpdateAsync(r, CancellationToken.None);
            }

            Assert.True(result.Succeeded, result.Message);
        }
    });

    public async Task DeleteAsync(ResourceKind kind, string? ns, string name) =>
        await Kernel.WithClientsAsync(async (client, _) => await client.DeleteAsync(kind, ns, name, null, CancellationToken.None));

    /// <summary>
    /// A TCP connection from the outside namespace, bound to <paramref name="source"/>, to the host's address on
    /// <paramref name="port"/>: what the far end wrote (trimmed), or null when it could not connect within 2 s.
    /// </summary>
    public Task<string?> ProbeAsync(IPAddress source, int port) => ExchangeAsync(OutsideNs, source, HostAddress, port, "GET / HTTP/1.0\r\n\r\n");

    /// <summary>Writes <paramref name="request"/> over a TCP socket made inside <paramref name="netns"/>; everything read back, or null.</summary>
    private static async Task<string?> ExchangeAsync(string netns, IPAddress? source, IPAddress target, int port, string request)
    {
        Socket socket = await NetworkNamespace.RunInAsync("/var/run/netns/" + netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using (socket)
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                if (source is not null)
                {
                    socket.Bind(new IPEndPoint(source, 0));
                }

                await socket.ConnectAsync(new IPEndPoint(target, port), cts.Token);
                await socket.SendAsync(Encoding.ASCII.GetBytes(request), cts.Token);
                var received = new StringBuilder();
                var buffer = new byte[512];
                int n;
                while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
                {
                    received.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }

                return received.ToString().Trim();
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return null;
            }
        }
    }

    /// <summary>The host namespace's iptables nat table as <c>iptables -t nat -S</c> prints it (portmap's rules).</summary>
    public async Task<string> NatRulesAsync()
    {
        var r = await Shell.RunAsync("nsenter", [$"--net=/var/run/netns/{Kernel.HostNs}", "iptables", "-w", "-t", "nat", "-S"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout;
    }

    /// <summary>Polls (the dataplane converges after a datastore write) until the condition holds; fails naming what was awaited.</summary>
    public Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 30) =>
        Eventually.WaitAsync(condition, TimeSpan.FromSeconds(seconds), what, () => "calico-node output:\n" + AgentOutput, TimeSpan.FromMilliseconds(200));

    private void StartAgent()
    {
        string apphost = Path.Combine(AppContext.BaseDirectory, "calico-node");
        var environment = new Dictionary<string, string>
        {
            ["NODENAME"] = "node1",
            ["DATASTORE_TYPE"] = "embedded",
            ["CALICO_DATASTORE_PATH"] = Kernel.DatastorePath,
            ["IP"] = "198.19.0.1/24",
            ["CALICO_NETWORKING_BACKEND"] = "none",
            ["FELIX_HEALTHENABLED"] = "true",
            ["FELIX_LOGSEVERITYSCREEN"] = "Info",
            ["NO_DEFAULT_POOLS"] = "true",
        };
        _agent = _processes.Start("ip", ["netns", "exec", Kernel.HostNs, apphost, "--felix-config", Kernel.Dir.File("felix.cfg"), "--state-dir", Kernel.Dir.Path], environment);
    }
}
