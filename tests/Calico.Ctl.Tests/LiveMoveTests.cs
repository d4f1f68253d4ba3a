using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Calico.Ipam;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary>
/// The documented move (docs/operations.md, "Moving from the embedded store to etcd") on a live host: a real
/// calico-node in a network namespace on the embedded store with two pods (addresses from IPAM, wired as the CNI plugin
/// wires them), moved onto a 3-member etcd cluster with lock, export, import, restart on etcd, unlock. Pods keep their
/// addresses, a TCP connection opened before the move still carries data after it, a new one connects, and IPAM on
/// etcd is byte-equal to the source's (a new pod gets a fresh address). etcd runs on this machine's loopback; the
/// host namespace reaches it through <see cref="NetnsLoopbackRelay"/>.
/// </summary>
[Trait("Tier", "Cluster")]
public sealed class LiveMoveTests : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _namespaces = [];
    private readonly ChildProcess _processes = new();
    private readonly List<NetnsLoopbackRelay> _relays = [];
    private readonly List<IDisposable> _sockets = [];
    private readonly TempDirectory _dir = new("live-move");
    private EtcdCluster? _etcd;
    private Process? _node;

    private string HostNs => "lmh" + _suffix;

    private string OutsideNs => "lmo" + _suffix;

    public Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("this test runs calico-node in network namespaces: run it as root");
        }

        Prerequisites.Require("nft");
        Prerequisites.Require("etcd");
        AddNamespace(HostNs);
        AddNamespace(OutsideNs);
        Sh($"ip -n {HostNs} link set lo up && ip -n {HostNs} link add eth0 type veth peer name out0 netns {OutsideNs} && " +
           $"ip -n {HostNs} addr add 198.18.0.1/24 dev eth0 && ip -n {HostNs} link set eth0 up && ip -n {OutsideNs} link set out0 up && " +
           $"ip -n {OutsideNs} addr add 198.18.0.2/24 dev out0 && ip -n {HostNs} route add default via 198.18.0.2 && " +
           // A host forwards for its workloads (upstream requires it; calico-lab sets it on its hosts too).
           $"ip netns exec {HostNs} sysctl -qw net.ipv4.ip_forward=1");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        StopNode();
        _processes.Dispose();
        foreach (IDisposable socket in _sockets)
        {
            socket.Dispose();
        }

        foreach (NetnsLoopbackRelay relay in _relays)
        {
            await relay.DisposeAsync();
        }

        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }

        foreach (string ns in _namespaces)
        {
            Sh($"ip netns pids {ns} 2>/dev/null | xargs -r kill -9 2>/dev/null || true");
            Sh($"ip netns del {ns} 2>/dev/null || true");
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task EmbeddedHostMovedToEtcdCluster_PodsKeepAddressesAndConnectivity()
    {
        // One host on the embedded store, two pods.
        string dbPath = _dir.File("calico.db");
        CtlBackends.CreateEmbeddedStore(dbPath);
        var embeddedEnv = new Dictionary<string, string> { ["DATASTORE_TYPE"] = "embedded", ["CALICO_DATASTORE_PATH"] = dbPath };
        var embedded = new CtlRunner(embeddedEnv);
        Ok(await embedded.RunAsync("apply -f -", """
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: pods
            spec:
              cidr: 10.67.0.0/16
              blockSize: 26
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: ns1
            """));
        await StartNodeAsync(embeddedEnv);
        IPAddress a = await AddPodAsync(embedded, "a");
        IPAddress b = await AddPodAsync(embedded, "b");
        TcpListener echo = await ListenEchoAsync(Pod("b"), b, 7001);
        _sockets.Add(echo.Server);
        await WaitForAsync(async () => await ProbeAsync(Pod("a"), b, 7001) == "hello", TimeSpan.FromSeconds(30), "pod a -> pod b before the move");
        Socket longLived = await ConnectAsync(Pod("a"), b, 7001);
        _sockets.Add(longLived);
        Assert.Equal("before", await ExchangeAsync(longLived, "before"));

        // The move: lock the source, export, import into a 3-member etcd cluster, restart calico-node on etcd, unlock.
        Ok(await embedded.RunAsync("datastore migrate lock"));
        await WaitForAsync(() => Task.FromResult(_processes.OutputOf(_node!).Contains("Datastore is locked", StringComparison.Ordinal)), TimeSpan.FromSeconds(15), "calico-node noticing the lock");
        var export = Ok(await embedded.RunAsync("datastore migrate export"));
        string file = _dir.File("export.yaml");
        await File.WriteAllTextAsync(file, export.Out);
        var ipamBefore = await IpamDumpAsync(embeddedEnv);

        _etcd = await EtcdCluster.StartAsync(3);
        var etcdEnv = new Dictionary<string, string> { ["DATASTORE_TYPE"] = "etcdv3", ["ETCD_ENDPOINTS"] = string.Join(",", _etcd.ClientUrls) };
        var etcd = new CtlRunner(etcdEnv);
        Ok(await etcd.RunAsync("datastore migrate import -f " + file));
        foreach (string url in _etcd.ClientUrls)
        {
            var uri = new Uri(url);
            _relays.Add(await NetnsLoopbackRelay.StartAsync(HostNs, new IPEndPoint(IPAddress.Loopback, uri.Port)));
        }

        StopNode();
        await StartNodeAsync(new Dictionary<string, string> { ["DATASTORE_TYPE"] = "etcdv3", ["ETCD_ENDPOINTS"] = string.Join(",", _relays.Select(r => r.Endpoint)) }, waitReady: false);
        await WaitForAsync(() => Task.FromResult(_processes.OutputOf(_node!).Contains("node registration waits", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "calico-node on etcd waiting for the unlock");
        Ok(await etcd.RunAsync("datastore migrate unlock"));
        await WaitForReadyAsync();

        // Same addresses, same IPAM, connectivity kept and new connections work.
        var weps = Ok(await etcd.RunAsync("get workloadendpoints -n ns1 -o yaml")).Out;
        Assert.Contains(a + "/32", weps, StringComparison.Ordinal);
        Assert.Contains(b + "/32", weps, StringComparison.Ordinal);
        Assert.Equal(ipamBefore, await IpamDumpAsync(etcdEnv));
        Assert.Equal("after", await ExchangeAsync(longLived, "after"));
        await WaitForAsync(async () => await ProbeAsync(Pod("a"), b, 7001) == "hello", TimeSpan.FromSeconds(30), "pod a -> pod b after the move");
        IPAddress c = await AssignAsync(etcdEnv, "c");
        Assert.NotEqual(a, c);
        Assert.NotEqual(b, c);
        Assert.Contains("Datastore unlocked", _processes.OutputOf(_node!), StringComparison.Ordinal);
    }

    private string Pod(string name) => "lmp" + _suffix + name;

    private async Task<IPAddress> AddPodAsync(CtlRunner ctl, string name)
    {
        IPAddress ip = await AssignAsync(ctl.Environment, name);
        string netns = AddNamespace(Pod(name));
        string iface = "cali" + _suffix + name;
        await NetworkNamespace.RunInAsync("/var/run/netns/" + HostNs, () => WorkloadInterfaces.SetUpAsync(new WorkloadInterfaceSpec
        {
            NetnsPath = "/var/run/netns/" + netns,
            ContainerIfName = "eth0",
            HostIfName = iface,
            IPv4 = [new IPNetwork(ip, 32)],
        }, CancellationToken.None));
        Sh($"ip -n {netns} link set lo up");
        Ok(await ctl.RunAsync("apply -f -", $"""
            apiVersion: projectcalico.org/v3
            kind: WorkloadEndpoint
            metadata:
              name: host1-k8s-{name}-eth0
              namespace: ns1
              labels:
                pod: {name}
            spec:
              node: host1
              orchestrator: k8s
              pod: {name}
              endpoint: eth0
              interfaceName: {iface}
              ipNetworks: [{ip}/32]
              profiles: [kns.ns1]
            """));
        return ip;
    }

    private static async Task<IPAddress> AssignAsync(IReadOnlyDictionary<string, string> environment, string pod)
    {
        await using var store = Calico.Datastore.DatastoreFactory.Open(Calico.Client.CalicoApiConfig.LoadFromEnvironment(n => environment.TryGetValue(n, out var v) ? v : null));
        var result = await new IpamClient(store, TimeProvider.System).AutoAssignAsync(new AutoAssignArgs
        {
            Num4 = 1,
            HandleId = "k8s-pod-network." + pod,
            Hostname = "host1",
            Attributes = new Dictionary<string, string> { ["node"] = "host1", ["namespace"] = "ns1", ["pod"] = pod },
        }, CancellationToken.None);
        return result.IPv4[0].BaseAddress;
    }

    private static async Task<IReadOnlyList<(string, string)>> IpamDumpAsync(Dictionary<string, string> environment)
    {
        await using var store = Calico.Datastore.DatastoreFactory.Open(Calico.Client.CalicoApiConfig.LoadFromEnvironment(n => environment.TryGetValue(n, out var v) ? v : null));
        var list = await store.ListAsync("/calico/ipam/", CancellationToken.None);
        return [.. list.Items.Select(kv => (kv.Key, Convert.ToBase64String(kv.Value)))];
    }

    private async Task StartNodeAsync(Dictionary<string, string> datastore, bool waitReady = true)
    {
        var environment = new Dictionary<string, string>(datastore)
        {
            ["NODENAME"] = "host1",
            ["IP"] = "198.18.0.1/24",
            ["CALICO_NETWORKING_BACKEND"] = "none",
            ["FELIX_ROUTEREFRESHINTERVAL"] = "5",
            ["FELIX_NFTABLESREFRESHINTERVAL"] = "5",
        };
        string apphost = Path.Combine(AppContext.BaseDirectory, "calico-node");
        _node = _processes.Start("ip", ["netns", "exec", HostNs, apphost, "--felix-config", _dir.File("felix.cfg"), "--state-dir", _dir.Path], environment);
        if (waitReady)
        {
            await WaitForReadyAsync();
        }
    }

    private Task WaitForReadyAsync() =>
        WaitForAsync(async () => await HttpStatusAsync(HostNs, 9099, "/readiness") == 200, TimeSpan.FromSeconds(60), "calico-node readiness");

    private void StopNode()
    {
        if (_node is null)
        {
            return;
        }

        Sh($"kill -TERM {_node.Id} 2>/dev/null || true");
        if (!_node.WaitForExit(10_000))
        {
            ChildProcess.Kill(_node);
        }

        _node = null;
    }

    /// <summary>Every connection gets "hello\n", then each line it sends comes back.</summary>
    private static async Task<TcpListener> ListenEchoAsync(string netns, IPAddress address, int port)
    {
        TcpListener listener = await NetworkNamespace.RunInAsync("/var/run/netns/" + netns, () =>
        {
            var l = new TcpListener(address, port);
            l.Start();
            return l;
        });
        _ = Task.Run(async () =>
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptSocketAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var buffer = new byte[256];
                        try
                        {
                            await client.SendAsync("hello\n"u8.ToArray());
                            int n;
                            while ((n = await client.ReceiveAsync(buffer)) > 0)
                            {
                                await client.SendAsync(buffer.AsMemory(0, n));
                            }
                        }
                        catch (SocketException)
                        {
                        }
                    }
                });
            }
        });
        return listener;
    }

    private static async Task<Socket> ConnectAsync(string netns, IPAddress target, int port)
    {
        Socket socket = await NetworkNamespace.RunInAsync("/var/run/netns/" + netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.ConnectAsync(new IPEndPoint(target, port), cts.Token);
        Assert.Equal("hello", await ReadLineAsync(socket, cts.Token));
        return socket;
    }

    private static async Task<string?> ExchangeAsync(Socket socket, string line)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.ASCII.GetBytes(line + "\n"), cts.Token);
        return await ReadLineAsync(socket, cts.Token);
    }

    private static async Task<string?> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        while (await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken) == 1)
        {
            if (one[0] == '\n')
            {
                return sb.ToString();
            }

            sb.Append((char)one[0]);
        }

        return null;
    }

    private static async Task<string?> ProbeAsync(string netns, IPAddress target, int port)
    {
        try
        {
            using Socket socket = await ConnectAsync(netns, target, port);
            return "hello";
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or Xunit.Sdk.XunitException)
        {
            return null;
        }
    }

    private static async Task<int?> HttpStatusAsync(string netns, int port, string path)
    {
        Socket socket = await NetworkNamespace.RunInAsync("/var/run/netns/" + netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using (socket)
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), cts.Token);
                var buffer = new byte[64];
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                string text = Encoding.ASCII.GetString(buffer, 0, n);
                return text.Length >= 12 ? int.Parse(text.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture) : null;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException)
            {
                return null;
            }
        }
    }

    private Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Eventually.WaitAsync(condition, timeout, what, () => "calico-node output:\n" + (_node is null ? "" : _processes.OutputOf(_node)), TimeSpan.FromMilliseconds(200));

    private string AddNamespace(string name)
    {
        Sh($"ip netns add {name}");
        _namespaces.Add(name);
        return name;
    }

    private static CtlResult Ok(CtlResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static string Sh(string command)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using Process p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"'{command}' failed ({p.ExitCode}): {error}");
    }
}
