using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Bpf;
using Calico.Felix.Dataplane.Nftables;
using Calico.Felix.Rules;
using Calico.Linux;
using Calico.Linux.Bpf;
using Calico.Linux.Netlink;
using Calico.Nftables;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Felix.Dataplane.Tests.Bpf;

/// <summary>
/// NAT outgoing in BPF over real packets: two pods of a natOutgoing pool on a host namespace whose uplink (eth0, a data
/// interface) leads to an outside namespace with no route back to the pool, so only a NATed flow gets an answer. The
/// host runs the BPF-mode table (rendered, applied through the nftables manager) and the programs.
/// </summary>
[Trait("Tier", "Root")]
public sealed partial class BpfSnatTests : IDisposable
{
    private const string AddressA = "10.65.0.2";
    private const string AddressB = "10.65.0.3";
    private const string HostAddress = "192.168.1.1";
    private const string Outside = "192.168.1.254";
    private const string Pool = "10.65.0.0/16";
    private static readonly Dictionary<IPNetwork, bool> Pools = new() { [IPNetwork.Parse(Pool)] = true };
    private const string AddressA6 = "fd00:65::2";
    private const string HostAddress6 = "2001:db8:1::1";
    private const string Outside6 = "2001:db8:1::fe";
    private const string Pool6 = "fd00:65::/48";
    private static readonly Dictionary<IPNetwork, bool> DualPools = new() { [IPNetwork.Parse(Pool)] = true, [IPNetwork.Parse(Pool6)] = true };

    private readonly TempDirectory _dir = new("calico-bpf-snat");
    private readonly NetnsScope _host;
    private readonly NetnsScope _a;
    private readonly NetnsScope _b;
    private readonly NetnsScope _outside;
    private readonly RouteNetlink _netlink;
    private readonly string _root;
    private readonly string _object;
    private readonly bool _mounted;

    public BpfSnatTests()
    {
        IpTool.RequireRootTier();
        Prerequisites.Require("conntrack"); // conntrack-tools: what the host's kernel tracked
        _host = new NetnsScope("calsh");
        _a = new NetnsScope("calsa");
        _b = new NetnsScope("calsb");
        _outside = new NetnsScope("calso");
        try
        {
            _host.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer", "netns", _outside.Name);
            _host.Ip("link", "set", "eth0", "up");
            _host.Ip("addr", "add", HostAddress + "/24", "dev", "eth0");
            _host.Ip("route", "add", "default", "via", Outside, "dev", "eth0");
            _outside.Ip("link", "set", "lo", "up");
            _outside.Ip("link", "set", "eth0-peer", "up");
            _outside.Ip("addr", "add", Outside + "/24", "dev", "eth0-peer"); // no route to the pool: un-NATed replies go nowhere
            Workload(_a, "caliwa0", AddressA);
            Workload(_b, "caliwb0", AddressB);
            _host.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            _netlink = RouteNetlink.OpenInAsync(_host.Path, CancellationToken.None).GetAwaiter().GetResult();
            _root = _dir.File("bpffs");
            _mounted = BpfFilesystem.EnsureMounted(_root);
            _object = BpfTestPrograms.Compile("bpf/calico_tc.c", _dir.Path);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private static bool IsWorkload(string name) => name.StartsWith("cali", StringComparison.Ordinal);

    private static bool IsUplink(string name) => name == "eth0";

    [Fact]
    public async Task NatOutgoing_InBpf_LeavesAsTheHost_UntrackedByTheKernel_TwoPodsOnOnePortBothWork_AndTheKernelMasqueradesWhenOff()
    {
        var render = new RenderConfig { WorkloadPolicyInBpf = true };
        DataplaneState state = State();
        var (dataplane, writer) = await StartBpfNatAsync(state, render);
        using var disposeDataplane = dataplane;
        using var disposeWriter = writer;

        // The uplink's NAT address and the default port range, written for eth0 alone.
        uint eth0 = await InHostAsync(() => (uint)BpfTc.InterfaceIndex("eth0"));
        using (BpfMap snat = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.SnatMap)))
        {
            Assert.Equal(BpfMapLayout.SnatValue(IPAddress.Parse(HostAddress), 20000, 29999), snat.Lookup(BpfMapLayout.SnatKey(eth0)));
            Assert.Single(snat.Keys());
        }

        using TcpListener listener = await ListenAsync(_outside.Path);
        // A opens from port 40000: free, so kept; B from the same port to the same server: a collision, a bpfPSNATPorts port.
        var (clientA, serverA) = await ConnectAsync(_a, listener, 40000);
        var (clientB, serverB) = await ConnectAsync(_b, listener, 40000);
        using (clientA)
        using (serverA)
        using (clientB)
        using (serverB)
        {
            var seenA = (IPEndPoint)serverA.RemoteEndPoint!;
            var seenB = (IPEndPoint)serverB.RemoteEndPoint!;
            Assert.Equal(HostAddress, seenA.Address.ToString());
            Assert.Equal(40000, seenA.Port);
            Assert.Equal(HostAddress, seenB.Address.ToString());
            Assert.InRange(seenB.Port, 20000, 29999);

            // What calico-node -bpf conntrack dump shows as each NATed flow's snat=: the flow's entry says it was NATed,
            // and its forward binding, keyed from the entry's ends, gives the source the server saw.
            var seenBySource = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
            using (BpfMap ct = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.ConntrackMap)))
            using (BpfMap bindings = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.NatMap)))
            {
                foreach (byte[] key in ct.Keys())
                {
                    ConntrackTuple tuple = BpfMapLayout.ReadConntrackKey(key);
                    ConntrackEntry entry = BpfMapLayout.ReadConntrackValue(ct.Lookup(key)!);
                    if (BpfMapLayout.NatForwardKey(tuple, entry) is not { } natKey || tuple.Protocol != 6)
                    {
                        continue;
                    }

                    var (address, port) = BpfMapLayout.ReadNatValue(bindings.Lookup(natKey)!, tuple.Family);
                    seenBySource[(entry.Opener == ConntrackOpener.Low ? tuple.Low : tuple.High).ToString()] = new IPEndPoint(address, port);
                }
            }

            Assert.Equal(seenA, seenBySource[AddressA]);
            Assert.Equal(seenB, seenBySource[AddressB]);
            for (int i = 0; i < 20; i++)
            {
                await RoundTripAsync(clientA, serverA);
                await RoundTripAsync(clientB, serverB);
            }

            // Bulk both ways (segmentation offload: the checksums of large packets rewritten as partial ones).
            await BulkAsync(clientA, serverA);
            await BulkAsync(serverA, clientA);
        }

        (int pingExit, string pingOutput, _) = _a.Exec("ping", "-c", "3", "-i", "0.2", "-W", "2", Outside);
        Assert.True(pingExit == 0, "ping from A through BPF NAT: " + pingOutput + " reasons " + Reasons());

        // UDP both ways (its checksum rewritten twice, incrementally), the server seeing the host's address.
        using (Socket server = await NetworkNamespace.RunInAsync(_outside.Path, () => UdpSocket(9090)))
        using (Socket client = await NetworkNamespace.RunInAsync(_a.Path, () => UdpSocket(40002)))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var buffer = new byte[16];
            for (int i = 0; i < 3; i++)
            {
                await client.SendToAsync("hello"u8.ToArray(), new IPEndPoint(IPAddress.Parse(Outside), 9090), timeout.Token);
                SocketReceiveFromResult got = await server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
                Assert.Equal(new IPEndPoint(IPAddress.Parse(HostAddress), 40002), got.RemoteEndPoint);
                await server.SendToAsync("world"u8.ToArray(), got.RemoteEndPoint, timeout.Token);
                SocketReceiveFromResult back = await client.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
                Assert.Equal(new IPEndPoint(IPAddress.Parse(Outside), 9090), back.RemoteEndPoint);
                Assert.Equal("world"u8.ToArray(), buffer[..back.ReceivedBytes]);
            }
        }

        // Datagrams larger than the MTU, fragmented both ways: every fragment leaves with the host's address and every
        // fragment of the answer reaches the pod (the later ones take the first's binding through cali_frags).
        using (Socket server = await NetworkNamespace.RunInAsync(_outside.Path, () => UdpSocket(9091)))
        using (Socket client = await NetworkNamespace.RunInAsync(_a.Path, () => UdpSocket(40004)))
        {
            await BigDatagramBothWaysAsync(client, server, new IPEndPoint(IPAddress.Parse(Outside), 9091), new IPEndPoint(IPAddress.Parse(HostAddress), 40004));
        }

        // An ICMP error about a NATed flow (port unreachable: nothing listens on 9999) is translated back to the pod.
        using (Socket refused = await NetworkNamespace.RunInAsync(_a.Path, () => UdpSocket(40003)))
        {
            refused.Connect(new IPEndPoint(IPAddress.Parse(Outside), 9999));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await refused.SendAsync("anyone?"u8.ToArray(), timeout.Token);
            SocketException error = await Assert.ThrowsAsync<SocketException>(async () => await refused.ReceiveAsync(new byte[16], timeout.Token));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        }

        // The kernel saw at most each flow's first packet (tracked, not NATed: the table left it to the programs), and
        // never a reply; its masquerade counted nothing.
        string conntrack = _host.Exec("conntrack", "-L").Output;
        foreach (string line in conntrack.Split('\n').Where(static l => l.Contains(Outside, StringComparison.Ordinal)))
        {
            Assert.Contains("[UNREPLIED]", line, StringComparison.Ordinal);
            Assert.DoesNotContain("dst=" + HostAddress, line, StringComparison.Ordinal);
        }

        Assert.Equal(0, MasqueradePackets());

        // The bindings are in cali_nat, both directions of each flow, and the scanner keeps the live ones (TCP: 1 h).
        var (_, _, nat) = await InHostAsync(dataplane.Maintain);
        Assert.True(nat.Scanned - nat.Deleted >= 6, $"{nat.Scanned} NAT entries scanned, {nat.Deleted} deleted: the two TCP connections' and UDP's bindings should stay");

        // BPF NAT off (as with a host endpoint): the kernel masquerades again.
        await InHostAsync(() => dataplane.Apply(state, render, IsWorkload, Pools, IsUplink, [Pool], snatOn: false));
        using (BpfMap snat = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.SnatMap)))
        {
            Assert.Empty(snat.Keys());
        }

        var (clientC, serverC) = await ConnectAsync(_a, listener, 40001);
        using (clientC)
        using (serverC)
        {
            Assert.Equal(HostAddress, ((IPEndPoint)serverC.RemoteEndPoint!).Address.ToString());
            await RoundTripAsync(clientC, serverC);
        }

        Assert.True(MasqueradePackets() > 0, "with BPF NAT off the kernel's masquerade NATs the new connection");
        await InHostAsync(() => dataplane.Stop(IsWorkload));
        Assert.Null(await InHostAsync(() => BpfTc.Query(BpfTc.InterfaceIndex("eth0"), TcDirection.Egress)));
    }

    [Fact]
    public async Task AConnectionTheKernelDnats_LikeAServicesClusterIp_StaysTheKernelsToNat_AndWorks()
    {
        // kube-proxy's part: a "cluster IP" outside the pools DNATed to the outside server.
        var (exit, _, error) = _host.Exec("nft",
            "add table ip kp ; add chain ip kp pre { type nat hook prerouting priority dstnat ; } ; " +
            "add rule ip kp pre ip daddr 10.96.0.10 tcp dport 80 dnat to " + Outside + ":8080");
        Assert.True(exit == 0, error);
        var render = new RenderConfig { WorkloadPolicyInBpf = true };
        DataplaneState state = State();
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        await InHostAsync(() => dataplane.Apply(state, render, IsWorkload, Pools, IsUplink, [Pool], snatOn: true));
        using var writer = new KernelNftablesWriter(_host.Path);
        await new NftablesManager(writer).ApplyAsync(NftablesRenderer.Build(state, render, new NatInputs([], [Pool])), CancellationToken.None);

        using TcpListener listener = await ListenAsync(_outside.Path);
        using Socket client = await NetworkNamespace.RunInAsync(_a.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await client.ConnectAsync(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 80), timeout.Token);
        }

        using Socket server = await listener.AcceptSocketAsync();
        Assert.Equal(HostAddress, ((IPEndPoint)server.RemoteEndPoint!).Address.ToString());
        for (int i = 0; i < 20; i++)
        {
            await RoundTripAsync(client, server);
        }

        // The kernel NATed it both ways (a tracked, answered connection), not the programs.
        Assert.True(MasqueradePackets() > 0, "the kernel's masquerade NATs a connection it DNATed");
        Assert.Contains(_host.Exec("conntrack", "-L", "-p", "tcp", "--orig-dst", "10.96.0.10").Output.Split('\n'),
            static l => l.Contains("ESTABLISHED", StringComparison.Ordinal) && l.Contains("dst=" + HostAddress, StringComparison.Ordinal));
        await InHostAsync(() => dataplane.Stop(IsWorkload));
    }

    [Fact]
    public async Task NatOutgoing_InBpf_IPv6_TcpUdpAndPing6_LeaveAsTheHostsIPv6Address_AndAreAnswered_UntrackedByTheKernel()
    {
        SetUpIPv6();
        var render = new RenderConfig { WorkloadPolicyInBpf = true };
        DataplaneState state = State();
        using var dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        await InHostAsync(() => dataplane.Apply(state, render, IsWorkload, DualPools, IsUplink, [Pool, Pool6], snatOn: true));
        using var writer = new KernelNftablesWriter(_host.Path);
        await new NftablesManager(writer).ApplyAsync(NftablesRenderer.Build(state, render, new NatInputs([Pool, Pool6], [Pool, Pool6])), CancellationToken.None);

        // eth0's NAT address for each family: its IPv4 one and its global IPv6 one (not its link-local).
        uint eth0 = await InHostAsync(() => (uint)BpfTc.InterfaceIndex("eth0"));
        using (BpfMap snat = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.SnatMap)))
        {
            Assert.Equal(BpfMapLayout.SnatValue(IPAddress.Parse(HostAddress6), 20000, 29999), snat.Lookup(BpfMapLayout.SnatKey(eth0, v6: true)));
            Assert.Equal(2, snat.Keys().Count);
        }

        using TcpListener listener = await NetworkNamespace.RunInAsync(_outside.Path, () =>
        {
            var l = new TcpListener(IPAddress.IPv6Any, 8080);
            l.Start();
            return l;
        });
        Socket client = await NetworkNamespace.RunInAsync(_a.Path, () =>
        {
            var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 40010));
            return socket;
        });
        using (client)
        {
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                await client.ConnectAsync(new IPEndPoint(IPAddress.Parse(Outside6), 8080), timeout.Token);
            }

            using Socket server = await listener.AcceptSocketAsync();
            Assert.Equal(new IPEndPoint(IPAddress.Parse(HostAddress6), 40010), server.RemoteEndPoint);
            for (int i = 0; i < 10; i++)
            {
                await RoundTripAsync(client, server);
            }

            // Bulk both ways: large (segmentation-offloaded) packets' checksums rewritten as partial ones.
            await BulkAsync(client, server);
            await BulkAsync(server, client);
        }

        // The host's own IPv6 connection from 41010 first: the pod's from 41010 to the same server passes over the port
        // (host_socket_on's IPv6 tuple), and both connections keep their own bytes.
        using (Socket hostClient = await NetworkNamespace.RunInAsync(_host.Path, () => BoundSocket6(41010)))
        using (Socket podClient = await NetworkNamespace.RunInAsync(_a.Path, () => BoundSocket6(41010)))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await hostClient.ConnectAsync(new IPEndPoint(IPAddress.Parse(Outside6), 8080), timeout.Token);
            using Socket hostSeen = await listener.AcceptSocketAsync(timeout.Token);
            await podClient.ConnectAsync(new IPEndPoint(IPAddress.Parse(Outside6), 8080), timeout.Token);
            using Socket podSeen = await listener.AcceptSocketAsync(timeout.Token);
            Assert.Equal(new IPEndPoint(IPAddress.Parse(HostAddress6), 41010), hostSeen.RemoteEndPoint);
            Assert.Equal(HostAddress6, ((IPEndPoint)podSeen.RemoteEndPoint!).Address.ToString());
            Assert.InRange(((IPEndPoint)podSeen.RemoteEndPoint!).Port, 20000, 29999);
            await RoundTripAsync(hostClient, hostSeen);
            await RoundTripAsync(podClient, podSeen);
        }

        (int pingExit, string pingOutput, _) = _a.Exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", Outside6);
        Assert.True(pingExit == 0, "ping6 from A through BPF NAT: " + pingOutput + " reasons " + Reasons());

        // UDP both ways, the server seeing the host's address.
        using (Socket server = await NetworkNamespace.RunInAsync(_outside.Path, () => UdpSocket6(9090)))
        using (Socket udp = await NetworkNamespace.RunInAsync(_a.Path, () => UdpSocket6(40012)))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var buffer = new byte[16];
            for (int i = 0; i < 3; i++)
            {
                await udp.SendToAsync("hello"u8.ToArray(), new IPEndPoint(IPAddress.Parse(Outside6), 9090), timeout.Token);
                SocketReceiveFromResult got = await server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.IPv6Any, 0), timeout.Token);
                Assert.Equal(new IPEndPoint(IPAddress.Parse(HostAddress6), 40012), got.RemoteEndPoint);
                await server.SendToAsync("world"u8.ToArray(), got.RemoteEndPoint, timeout.Token);
                SocketReceiveFromResult back = await udp.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.IPv6Any, 0), timeout.Token);
                Assert.Equal(new IPEndPoint(IPAddress.Parse(Outside6), 9090), back.RemoteEndPoint);
                Assert.Equal("world"u8.ToArray(), buffer[..back.ReceivedBytes]);
            }
        }

        // Datagrams larger than the MTU, in IPv6 fragments both ways (session 9): the first fragment's UDP header sits
        // behind a fragment header, the later ones have none; every fragment leaves from the host's address and every
        // fragment of the answer reaches the pod.
        using (Socket server = await NetworkNamespace.RunInAsync(_outside.Path, () => UdpSocket6(9091)))
        using (Socket udp = await NetworkNamespace.RunInAsync(_a.Path, () => UdpSocket6(40014)))
        {
            await BigDatagramBothWaysAsync(udp, server, new IPEndPoint(IPAddress.Parse(Outside6), 9091), new IPEndPoint(IPAddress.Parse(HostAddress6), 40014));
        }

        // An ICMPv6 port unreachable about a NATed flow is translated back to the pod's connected socket.
        using (Socket refused = await NetworkNamespace.RunInAsync(_a.Path, () => UdpSocket6(40013)))
        {
            refused.Connect(new IPEndPoint(IPAddress.Parse(Outside6), 9999));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await refused.SendAsync("anyone?"u8.ToArray(), timeout.Token);
            SocketException error = await Assert.ThrowsAsync<SocketException>(async () => await refused.ReceiveAsync(new byte[16], timeout.Token));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        }

        // The kernel saw at most each pod flow's first packet, tracked and not NATed, never a reply (the host's own
        // connection above is the kernel's, tracked whole); its masquerade counted nothing.
        string conntrack = _host.Exec("conntrack", "-L", "-f", "ipv6").Output;
        string[] podFlows = [.. conntrack.Split('\n').Where(static l => l.Contains(Outside6, StringComparison.Ordinal) && l.Contains("src=" + AddressA6 + " ", StringComparison.Ordinal))];
        Assert.NotEmpty(podFlows);
        foreach (string line in podFlows)
        {
            Assert.Contains("[UNREPLIED]", line, StringComparison.Ordinal);
            Assert.DoesNotContain("dst=" + HostAddress6, line, StringComparison.Ordinal);
        }

        Assert.Equal(0, MasqueradePackets());

        // The bindings are the programs' (cali_nat, both directions): TCP's and UDP's at least are live.
        var (_, _, nat) = await InHostAsync(dataplane.Maintain);
        Assert.True(nat.Scanned - nat.Deleted >= 4, $"{nat.Scanned} NAT entries scanned, {nat.Deleted} deleted: the TCP and UDP bindings should stay");
        await InHostAsync(() => dataplane.Stop(IsWorkload));
    }

    /// <summary>IPv6 on top of the IPv4 set-up: eth0 and the outside with global addresses (no route back to the IPv6 pool), pod A with one.</summary>
    private void SetUpIPv6()
    {
        _host.Exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        _host.Ip("-6", "addr", "add", HostAddress6 + "/64", "dev", "eth0", "nodad");
        _outside.Ip("-6", "addr", "add", Outside6 + "/64", "dev", "eth0-peer", "nodad");
        _host.Ip("-6", "route", "add", "default", "via", Outside6, "dev", "eth0");
        _host.Ip("-6", "addr", "add", "fe80::1/64", "dev", "caliwa0", "nodad"); // the pod's next hop
        _host.Ip("-6", "route", "add", AddressA6 + "/128", "dev", "caliwa0");
        _a.Ip("-6", "addr", "add", AddressA6 + "/128", "dev", "eth0", "nodad");
        _a.Ip("-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0");
    }

    private static Socket BoundSocket6(int port)
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
        return socket;
    }

    private static Socket UdpSocket6(int port)
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
        return socket;
    }

    /// <summary>The packets the NAT outgoing chain's masquerade rules counted.</summary>
    private long MasqueradePackets()
    {
        string chain = _host.Exec("nft", "list", "chain", "inet", "calico", "nat-POSTROUTING").Output;
        return MasqueradeCounter().Matches(chain).Sum(static m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"counter packets (\d+) bytes \d+ masquerade")]
    private static partial Regex MasqueradeCounter();

    private static async Task<(Socket Client, Socket Server)> ConnectAsync(NetnsScope from, TcpListener listener, int sourcePort)
    {
        Socket client = await NetworkNamespace.RunInAsync(from.Path, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Any, sourcePort));
            return socket;
        });
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.ConnectAsync(new IPEndPoint(IPAddress.Parse(Outside), 8080), timeout.Token);
            return (client, await listener.AcceptSocketAsync(timeout.Token));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The programs with IPv4 BPF NAT on eth0 and the BPF-mode table over them, as calico-node sets them up; the caller
    /// disposes both.
    /// </summary>
    private async Task<(BpfWorkloadDataplane Dataplane, KernelNftablesWriter Writer)> StartBpfNatAsync(DataplaneState state, RenderConfig render)
    {
        BpfWorkloadDataplane dataplane = await InHostAsync(() => BpfWorkloadDataplane.Start(_root, _object, _netlink, NullLogger.Instance));
        var writer = new KernelNftablesWriter(_host.Path);
        try
        {
            await InHostAsync(() => dataplane.Apply(state, render, IsWorkload, Pools, IsUplink, [Pool], snatOn: true));
            await new NftablesManager(writer).ApplyAsync(NftablesRenderer.Build(state, render, new NatInputs([], [Pool])), CancellationToken.None);
            return (dataplane, writer);
        }
        catch
        {
            writer.Dispose();
            dataplane.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A 4,000-byte datagram (IP fragments on a 1,500-byte MTU) from the pod's <paramref name="client"/> to the outside
    /// <paramref name="server"/> and back: the server sees it whole from <paramref name="natted"/>, and the answer
    /// reaches the pod whole from the server's own address.
    /// </summary>
    private static async Task BigDatagramBothWaysAsync(Socket client, Socket server, IPEndPoint serverEnd, IPEndPoint natted)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        byte[] big = [.. Enumerable.Range(0, 4000).Select(static i => (byte)i)];
        var buffer = new byte[8192];
        IPAddress any = serverEnd.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        await client.SendToAsync(big, serverEnd, timeout.Token);
        SocketReceiveFromResult got = await server.ReceiveFromAsync(buffer, new IPEndPoint(any, 0), timeout.Token);
        Assert.Equal(natted, got.RemoteEndPoint);
        Assert.Equal(big, buffer[..got.ReceivedBytes]);
        await server.SendToAsync(big, got.RemoteEndPoint, timeout.Token);
        SocketReceiveFromResult back = await client.ReceiveFromAsync(buffer, new IPEndPoint(any, 0), timeout.Token);
        Assert.Equal(serverEnd, back.RemoteEndPoint);
        Assert.Equal(big, buffer[..back.ReceivedBytes]);
    }

    /// <summary>4 MiB from <paramref name="sender"/> to <paramref name="receiver"/>, checked byte for byte.</summary>
    private static async Task BulkAsync(Socket sender, Socket receiver)
    {
        var data = new byte[4 << 20];
        new Random(7).NextBytes(data);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task sending = sender.SendAsync(data, timeout.Token).AsTask();
        var received = new byte[data.Length];
        int total = 0;
        while (total < received.Length)
        {
            int read = await receiver.ReceiveAsync(received.AsMemory(total), timeout.Token);
            Assert.True(read > 0, "the connection closed mid-transfer");
            total += read;
        }

        await sending;
        Assert.True(data.AsSpan().SequenceEqual(received), "the bytes arrived changed");
    }

    private static Socket UdpSocket(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Any, port));
        return socket;
    }

    private static Task<TcpListener> ListenAsync(string netnsPath) => NetworkNamespace.RunInAsync(netnsPath, () =>
    {
        var listener = new TcpListener(IPAddress.Any, 8080);
        listener.Start();
        return listener;
    });

    private static async Task RoundTripAsync(Socket client, Socket server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[4];
        await client.SendAsync("ping"u8.ToArray(), timeout.Token);
        Assert.Equal(4, await server.ReceiveAsync(buffer, timeout.Token));
        await server.SendAsync("pong"u8.ToArray(), timeout.Token);
        Assert.Equal(4, await client.ReceiveAsync(buffer, timeout.Token));
    }

    /// <summary>Both pods with a profile allowing everything both ways.</summary>
    private static DataplaneState State()
    {
        var state = new DataplaneState();
        state.Apply(new ActiveProfileUpdate("open", new ProfileIntent(
            [new RuleModel { Action = RuleAction.Allow, Index = 0 }],
            [new RuleModel { Action = RuleAction.Allow, Index = 0 }])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "ns", "a"), "caliwa0", [AddressA + "/32"], [AddressA6 + "/128"], [], ["open"])));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "ns", "b"), "caliwb0", [AddressB + "/32"], [], [], ["open"])));
        return state;
    }

    private void Workload(NetnsScope workload, string iface, string address)
    {
        _host.Ip("link", "add", iface, "type", "veth", "peer", "name", "eth0", "netns", workload.Name);
        _host.Ip("link", "set", iface, "up");
        _host.Exec("sysctl", "-qw", $"net.ipv4.conf.{iface}.proxy_arp=1");
        _host.Exec("sysctl", "-qw", $"net.ipv4.neigh.{iface}.proxy_delay=0");
        _host.Ip("route", "add", address + "/32", "dev", iface);
        workload.Ip("link", "set", "lo", "up");
        workload.Ip("link", "set", "eth0", "up");
        workload.Ip("addr", "add", address + "/32", "dev", "eth0");
        workload.Ip("route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        workload.Ip("route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
    }

    /// <summary>cali_reasons' non-zero packet counts, for a failure's message.</summary>
    private string Reasons()
    {
        using var reasons = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.ReasonMap));
        var parts = new List<string>();
        for (uint i = 0; i < 16; i++)
        {
            if (reasons.Lookup(BitConverter.GetBytes(i)) is { } value && BitConverter.ToUInt64(value) > 0)
            {
                parts.Add($"{i}={BitConverter.ToUInt64(value)}");
            }
        }

        return string.Join(",", parts);
    }

    private Task<T> InHostAsync<T>(Func<T> action) => NetworkNamespace.RunInAsync(_host.Path, action);

    private Task<bool> InHostAsync(Action action) => NetworkNamespace.RunInAsync(_host.Path, () =>
    {
        action();
        return true;
    });

    public void Dispose()
    {
        _netlink?.Dispose();
        _a?.Dispose();
        _b?.Dispose();
        _outside?.Dispose();
        _host?.Dispose();
        if (_mounted)
        {
            BpfFilesystem.Unmount(_root);
        }

        _dir.Dispose();
    }
}
