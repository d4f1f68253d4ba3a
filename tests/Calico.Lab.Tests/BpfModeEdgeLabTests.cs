using System.Net;
using System.Net.Sockets;
using Calico.Lab.Cluster;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>One host on the eBPF dataplane with pods x/a and x/b, for <see cref="BpfModeEdgeLabTests"/>.</summary>
public sealed class BpfEdgeLabFixture : IAsyncLifetime
{
    public LabRunner Lab { get; } = new();

    public LabLayout Layout => LabLayout.Create(Lab.Name, Lab.StateDir);

    public LabHost Host => LabStateFile.Load(Layout).Hosts.Single(h => h.Name == "host1");

    public LabPod Pod(string name) => LabStateFile.Load(Layout).Pods.Single(p => p.Name == name);

    public async Task InitializeAsync()
    {
        IpTool.RequireRootTier();
        Prerequisites.Require("bird");
        await Lab.MustAsync("up", "--dataplane", "bpf", "--no-flows");
        await Lab.MustAsync("run", "host1", "x/a");
        await Lab.MustAsync("run", "host1", "x/b", "--serve", "TCP/80");
    }

    public Task DisposeAsync()
    {
        Lab.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Root tier: what stays in nftables while workload policy is in the programs still works with <c>bpfEnabled</c>,
/// now that pod-to-pod traffic is untracked by the kernel: NAT outgoing to the outside (as the host, by the programs),
/// a host endpoint's policy with its failsafe ports, and DefaultEndpointToHostAction (Drop, then Accept). Each test
/// undoes what it applied.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BpfModeEdgeLabTests(BpfEdgeLabFixture fixture) : IClassFixture<BpfEdgeLabFixture>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);
    private static readonly IPAddress Outside = IPAddress.Parse("203.0.113.2");

    private LabRunner Lab => fixture.Lab;

    [Fact]
    public async Task NatOutgoing_PodReachesTheOutside_MasqueradedAsTheHost()
    {
        using TcpListener listener = await ListenAsync(LabLayout.NetnsPath(Lab.Netns(LabLayout.Outside)), 7070);
        using Socket client = await ConnectAsync(fixture.Pod("a"), Outside, 7070);
        Assert.True(client.Connected, "x/a -> outside: the outside has no route to the pods, only NAT outgoing brings the reply back");
        using Socket accepted = await listener.AcceptSocketAsync();
        Assert.Equal(IPAddress.Parse(fixture.Host.Address), ((IPEndPoint)accepted.RemoteEndPoint!).Address);

        // NATed by the programs (NAT outgoing in BPF: no host endpoint), not the kernel: the NAT chain left it to them.
        var nat = await LabRunner.InNetnsAsync(fixture.Host.Netns, "nft", "list", "chain", "inet", "calico", "nat-POSTROUTING");
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(nat.Output, "packets [1-9][0-9]* bytes [0-9]+ return comment \"[^\"]*NAT outgoing in the eBPF programs"), nat.Output);

        // Pod to pod beside it: untracked, still policed and answered.
        using Socket local = await ConnectAsync(fixture.Pod("a"), IPAddress.Parse(fixture.Pod("b").Address), 80);
        Assert.True(local.Connected, "x/a -> x/b:80");
    }

    [Fact]
    public async Task HostPort_ReachedFromAPod_RepliesComeBackThroughTheReverseNat()
    {
        // x/a -> host1:18090 -> DNAT (portmap) -> x/p: pod to pool address on the way back, which BPF mode would leave
        // untracked (no reverse NAT) and hand over peer to peer, but for the mark the table sets on DNATed connections.
        LabHost host = fixture.Host;
        try
        {
            await Lab.MustAsync("run", "host1", "x/p", "--serve", "TCP/80", "--publish", "18090:80");
            string podNetns = LabLayout.NetnsPath(fixture.Pod("a").Netns);
            Assert.True(await LabRunner.EventuallyAsync(() => ConnectsFromAsync(podNetns, IPAddress.Parse(host.Address), 18090), Converge), "x/a never reached host1:18090");
            using Socket client = await ConnectAsync(fixture.Pod("a"), IPAddress.Parse(host.Address), 18090);
            Assert.True(client.Connected, "x/a -> host1:18090 (published by x/p)");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.SendAsync("hello\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            int read = await client.ReceiveAsync(buffer, timeout.Token);
            Assert.True(read > 0, "x/p's answer came back through host1's address");

            // Replies of the DNATed connection took the stack (tracked), marked by the program.
            var raw = await LabRunner.InNetnsAsync(host.Netns, "nft", "list", "chain", "inet", "calico", "raw-PREROUTING");
            Assert.Matches("packets [1-9][0-9]* bytes [0-9]+ return comment \"[^\"]*Reply of a connection the kernel NATs", raw.Output);
        }
        finally
        {
            await LabWorkloads.DeleteAsync(fixture.Layout, "x", "p", CancellationToken.None);
        }
    }

    [Fact]
    public async Task HostEndpoint_DenyAllIngress_KeepsFailsafePorts_AndForwardedPodTraffic()
    {
        LabHost host = fixture.Host;
        string hostNetns = LabLayout.NetnsPath(host.Netns);
        string outsideNetns = LabLayout.NetnsPath(Lab.Netns(LabLayout.Outside));
        var hostAddress = IPAddress.Parse(host.Address);
        using TcpListener ssh = await ListenAsync(hostNetns, 22);
        using TcpListener other = await ListenAsync(hostNetns, 7071);
        Assert.True(await ConnectsFromAsync(outsideNetns, hostAddress, 7071), "no host endpoint yet: the host accepts");
        try
        {
            await Lab.CalicoctlAsync($"""
                apiVersion: projectcalico.org/v3
                kind: HostEndpoint
                metadata:
                  name: host1-eth0
                  labels:
                    edge: host1
                spec:
                  node: host1
                  interfaceName: eth0
                  expectedIPs: [{host.Address}]
                ---
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata:
                  name: edge-deny-ingress
                spec:
                  selector: edge == 'host1'
                  types: [Ingress]
                  ingress:
                    - action: Deny
                """, "apply", "-f", "-");
            Assert.True(await LabRunner.EventuallyAsync(async () => !await ConnectsFromAsync(outsideNetns, hostAddress, 7071), Converge), "the host endpoint's deny never took effect");
            Assert.True(await ConnectsFromAsync(outsideNetns, hostAddress, 22), "tcp:22 is a failsafe inbound port: never denied");

            // Normal host endpoint policy does not apply to forwarded traffic: pods still reach the outside, and the
            // fast paths and NAT outgoing in BPF stay on (the NAT chain still leaves the programs' flows to them).
            using TcpListener sink = await ListenAsync(outsideNetns, 7072);
            using (Socket client = await ConnectAsync(fixture.Pod("a"), Outside, 7072))
            {
                Assert.True(client.Connected, "x/a -> outside with a host endpoint on eth0");
            }

            Assert.True(await NatLeftToTheProgramsAsync(host), "a host endpoint policing the host alone turned NAT outgoing in BPF off");

            // An applyOnForward policy on it reaches forwarded traffic: pod traffic is tracked again and the kernel
            // masquerades, and pods still reach the outside through it.
            await Lab.CalicoctlAsync("""
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata:
                  name: edge-forward-allow
                spec:
                  selector: edge == 'host1'
                  applyOnForward: true
                  types: [Ingress, Egress]
                  ingress:
                    - action: Allow
                  egress:
                    - action: Allow
                """, "apply", "-f", "-");
            Assert.True(await LabRunner.EventuallyAsync(async () => !await NatLeftToTheProgramsAsync(host), Converge), "an applyOnForward policy never took pod traffic back into the table");

            // calico-node says why, naming the endpoint and the kind of policy (its log is written asynchronously).
            string logPath = Path.Combine(host.Directory, "calico-node.log");
            Assert.True(
                await LabRunner.EventuallyAsync(async () => (await File.ReadAllTextAsync(logPath)).Contains("host1-eth0 has applyOnForward policy", StringComparison.Ordinal), Converge),
                "calico-node never logged why the fast paths went off");
            using (Socket forwarded = await ConnectAsync(fixture.Pod("a"), Outside, 7072))
            {
                Assert.True(forwarded.Connected, "x/a -> outside through the host endpoint's applyOnForward allow");
            }

            Assert.False(await ConnectsFromAsync(outsideNetns, hostAddress, 7071), "the host's own ingress is still denied");
            await Lab.CalicoctlAsync(null, "delete", "globalnetworkpolicy", "edge-forward-allow");
            Assert.True(await LabRunner.EventuallyAsync(() => NatLeftToTheProgramsAsync(host), Converge), "the fast paths never came back after the applyOnForward policy went");
        }
        finally
        {
            await Lab.CalicoctlAsync(null, "delete", "globalnetworkpolicy", "edge-forward-allow", "--skip-not-exists");
            await Lab.CalicoctlAsync(null, "delete", "globalnetworkpolicy", "edge-deny-ingress", "--skip-not-exists");
            await Lab.CalicoctlAsync(null, "delete", "hostendpoint", "host1-eth0", "--skip-not-exists");
        }

        Assert.True(await LabRunner.EventuallyAsync(() => ConnectsFromAsync(outsideNetns, hostAddress, 7071), Converge), "the host endpoint's removal never took effect");
    }

    [Fact]
    public async Task DefaultEndpointToHostAction_DropsThenAccepts_TrafficFromAPodToTheHost()
    {
        LabHost host = fixture.Host;
        var hostAddress = IPAddress.Parse(host.Address);
        string podNetns = LabLayout.NetnsPath(fixture.Pod("a").Netns);
        using TcpListener listener = await ListenAsync(LabLayout.NetnsPath(host.Netns), 7073);
        Assert.False(await ConnectsFromAsync(podNetns, hostAddress, 7073), "defaultEndpointToHostAction Drop (the default): the program drops it");
        try
        {
            await Lab.CalicoctlAsync(null, "patch", "felixconfiguration", "default", "-p", """{"spec":{"defaultEndpointToHostAction":"Accept"}}""");
            Assert.True(await LabRunner.EventuallyAsync(() => ConnectsFromAsync(podNetns, hostAddress, 7073), Converge), "Accept never took effect");
        }
        finally
        {
            await Lab.CalicoctlAsync(null, "patch", "felixconfiguration", "default", "-p", """{"spec":{"defaultEndpointToHostAction":"Drop"}}""");
        }

        Assert.True(await LabRunner.EventuallyAsync(async () => !await ConnectsFromAsync(podNetns, hostAddress, 7073), Converge), "Drop never came back");
    }

    /// <summary>Whether the table leaves the programs' NAT outgoing to them (its return rule), as it does while the fast paths are on.</summary>
    private static async Task<bool> NatLeftToTheProgramsAsync(LabHost host)
    {
        var nat = await LabRunner.InNetnsAsync(host.Netns, "nft", "list", "chain", "inet", "calico", "nat-POSTROUTING");
        return nat.Output.Contains("NAT outgoing in the eBPF programs", StringComparison.Ordinal);
    }

    private static Task<TcpListener> ListenAsync(string netnsPath, int port) => NetworkNamespace.RunInAsync(netnsPath, () =>
    {
        var listener = new TcpListener(IPAddress.Any, port);
        listener.Start();
        return listener;
    });

    private static async Task<Socket> ConnectAsync(LabPod from, IPAddress address, int port)
    {
        Socket socket = await NetworkNamespace.RunInAsync(LabLayout.NetnsPath(from.Netns), () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // Not connected: the caller asserts on Connected.
        }

        return socket;
    }

    private static async Task<bool> ConnectsFromAsync(string netnsPath, IPAddress address, int port)
    {
        using Socket socket = await NetworkNamespace.RunInAsync(netnsPath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
