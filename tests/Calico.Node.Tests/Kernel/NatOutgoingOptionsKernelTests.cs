using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Calico.Api;
using Calico.Linux;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier, the real calico-node on one dual-stack host (pools 10.65.0.0/16 and fd00:65::/64, both natOutgoing):
/// each NAT outgoing option of FelixConfiguration <c>node.host1</c> seen from the outside namespace, which reports
/// the source address and port of every TCP connection and UDP datagram it gets. The outside routes the pools back
/// through the host, so un-NATed traffic is answered too. The host's eth0 also holds 198.18.0.77 (the
/// natOutgoingAddress) and 2001:db8:18::1; the outside also answers on 198.18.0.3 and 2001:db8:18::3, the
/// addresses of Node "host2" (another host).
/// </summary>
[Trait("Tier", "Root")]
public sealed class NatOutgoingOptionsKernelTests(AgentHostFixture host) : IClassFixture<AgentHostFixture>
{
    private const int Port = 9400;
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);
    private static readonly IPAddress Host4 = AgentHostFixture.HostAddress;
    private static readonly IPAddress Host6 = IPAddress.Parse("2001:db8:18::1");
    private static readonly IPAddress Outside4 = AgentHostFixture.OutsideAddress;
    private static readonly IPAddress Outside6 = IPAddress.Parse("2001:db8:18::2");
    private static readonly IPAddress OtherHost4 = IPAddress.Parse("198.18.0.3");
    private static readonly IPAddress OtherHost6 = IPAddress.Parse("2001:db8:18::3");
    private static readonly IPAddress SnatAddress = IPAddress.Parse("198.18.0.77");
    private static int s_sourcePort = 50000 + Random.Shared.Next(0, 5000);

    [Fact]
    public async Task Masquerade_by_default_then_natOutgoingAddress_snats_ipv4_to_it_while_ipv6_keeps_masquerade()
    {
        Pod pod = await SetUpAsync("nata", "10.65.0.70", "fd00:65::70");
        using Outside outside = await Outside.StartAsync(host.OutsideNs);

        await ExpectSourceAsync(pod, Outside4, Host4, "masquerade to the host's IPv4 address");
        await ExpectSourceAsync(pod, Outside6, Host6, "masquerade to the host's IPv6 address");

        await SetNatOptionsAsync("natOutgoingAddress: 198.18.0.77");
        try
        {
            await ExpectSourceAsync(pod, Outside4, SnatAddress, "IPv4 SNAT to natOutgoingAddress");
            await ExpectSourceAsync(pod, Outside6, Host6, "IPv6 still masqueraded (natOutgoingAddress is IPv4 only)");
            Assert.Contains("snat ip to 198.18.0.77 fully-random", NatChain(), StringComparison.Ordinal);

            // kill -9: the NAT chain stays in force; the restarted agent keeps it.
            host.StopAgent(kill: true);
            await ExpectSourceAsync(pod, Outside4, SnatAddress, "IPv4 SNAT with calico-node killed");
            await host.StartAgentAsync();
            await ExpectSourceAsync(pod, Outside4, SnatAddress, "IPv4 SNAT after the restart");

            // A hand edit (the SNAT rule deleted) is repaired within the refresh interval.
            host.DeleteNftRule("nat-POSTROUTING", "snat ip to 198.18.0.77");
            Assert.DoesNotContain("snat ip to 198.18.0.77", NatChain(), StringComparison.Ordinal);
            await host.WaitForAsync(
                () => Task.FromResult(NatChain().Contains("snat ip to 198.18.0.77", StringComparison.Ordinal)), Converge, "the deleted SNAT rule restored");
            await ExpectSourceAsync(pod, Outside4, SnatAddress, "IPv4 SNAT after the repair");
        }
        finally
        {
            await ClearNatOptionsAsync();
        }
    }

    [Fact]
    public async Task NatPortRange_puts_tcp_and_udp_source_ports_in_the_range_for_masquerade_and_for_natOutgoingAddress()
    {
        Pod pod = await SetUpAsync("natp", "10.65.0.71", "fd00:65::71");
        using Outside outside = await Outside.StartAsync(host.OutsideNs);
        var range = (First: 40000, Last: 40099);

        await SetNatOptionsAsync("natPortRange: 40000:40099");
        try
        {
            Seen first = await ExpectSourceAsync(pod, Outside4, Host4, "masquerade with a port range", inRange: range);
            for (int i = 0; i < 4; i++)
            {
                // Each connection comes from a port outside the range: every one is rewritten into it.
                Seen next = await SeenTcpAsync(pod, Outside4) ?? throw new InvalidOperationException("no answer from the outside");
                Assert.Equal(Host4, next.Address);
                Assert.InRange(next.Port, range.First, range.Last);
            }

            Seen udp = await SeenUdpAsync(pod, Outside4) ?? throw new InvalidOperationException("no UDP answer from the outside");
            Assert.Equal(Host4, udp.Address);
            Assert.InRange(udp.Port, range.First, range.Last);
            await ExpectSourceAsync(pod, Outside6, Host6, "IPv6 masquerade with a port range", inRange: range);
            Seen udp6 = await SeenUdpAsync(pod, Outside6) ?? throw new InvalidOperationException("no IPv6 UDP answer from the outside");
            Assert.InRange(udp6.Port, range.First, range.Last);

            await SetNatOptionsAsync("natPortRange: 40000:40099\n  natOutgoingAddress: 198.18.0.77");
            await ExpectSourceAsync(pod, Outside4, SnatAddress, "SNAT to natOutgoingAddress with a port range", inRange: range);
            Assert.NotEqual(0, first.Port);
        }
        finally
        {
            await ClearNatOptionsAsync();
        }
    }

    [Fact]
    public async Task IPPoolsAndHostIPs_leaves_traffic_to_another_hosts_address_unNATed_and_still_masquerades_the_rest()
    {
        Pod pod = await SetUpAsync("nath", "10.65.0.72", "fd00:65::72");
        using Outside outside = await Outside.StartAsync(host.OutsideNs);
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: Node
            metadata:
              name: host2
            spec:
              bgp:
                ipv4Address: 198.18.0.3/24
                ipv6Address: 2001:db8:18::3/64
            """);
        try
        {
            await ExpectSourceAsync(pod, OtherHost4, Host4, "IPPoolsOnly: traffic to another host masqueraded");

            await SetNatOptionsAsync("natOutgoingExclusions: IPPoolsAndHostIPs");
            await ExpectSourceAsync(pod, OtherHost4, pod.Address, "IPPoolsAndHostIPs: the other host sees the pod's IPv4 address");
            await ExpectSourceAsync(pod, OtherHost6, pod.Address6!, "IPPoolsAndHostIPs: the other host sees the pod's IPv6 address");
            await ExpectSourceAsync(pod, Outside4, Host4, "IPPoolsAndHostIPs: an address of no host still masqueraded");
            await ExpectSourceAsync(pod, Outside6, Host6, "IPPoolsAndHostIPs: an IPv6 address of no host still masqueraded");
            Assert.Contains("198.18.0.3", host.Nft("list set inet calico cali40all-hosts-net"), StringComparison.Ordinal);
        }
        finally
        {
            await ClearNatOptionsAsync();
            await host.DeleteAsync(ResourceKinds.Node, null, "host2");
        }
    }

    [Fact]
    public async Task Interface_filter_masquerades_only_traffic_leaving_a_matching_interface()
    {
        Pod pod = await SetUpAsync("nati", "10.65.0.73", "fd00:65::73");
        using Outside outside = await Outside.StartAsync(host.OutsideNs);

        await SetNatOptionsAsync("iptablesNATOutgoingInterfaceFilter: eth1");
        try
        {
            await ExpectSourceAsync(pod, Outside4, pod.Address, "no NAT for traffic leaving eth0 when the filter names eth1");
            await ExpectSourceAsync(pod, Outside6, pod.Address6!, "no IPv6 NAT for traffic leaving eth0 when the filter names eth1");

            await SetNatOptionsAsync("iptablesNATOutgoingInterfaceFilter: eth+");
            await ExpectSourceAsync(pod, Outside4, Host4, "masquerade for traffic leaving eth0 with the filter eth+");
            await ExpectSourceAsync(pod, Outside6, Host6, "IPv6 masquerade for traffic leaving eth0 with the filter eth+");
            Assert.Contains("oifname \"eth*\"", NatChain(), StringComparison.Ordinal);
        }
        finally
        {
            await ClearNatOptionsAsync();
        }
    }

    /// <summary>The dual-stack link, the other host's and the SNAT address, forwarding, the IPv6 pool, and one pod.</summary>
    private async Task<Pod> SetUpAsync(string name, string ip, string ip6)
    {
        string h = host.HostNs;
        string o = host.OutsideNs;
        AgentHostFixture.Sh(
            $"ip netns exec {h} sysctl -qw net.ipv4.ip_forward=1 && " +
            $"[ \"$(ip netns exec {h} sysctl -n net.ipv6.conf.all.forwarding)\" = 1 ] || ip netns exec {h} sysctl -qw net.ipv6.conf.all.forwarding=1; " +
            $"ip -n {h} addr replace {SnatAddress}/24 dev eth0 && " +
            $"ip -n {h} -6 addr replace {Host6}/64 dev eth0 nodad && " +
            $"ip -n {h} -6 route replace default via {Outside6} dev eth0 && " +
            $"ip -n {o} addr replace {OtherHost4}/24 dev out0 && " +
            $"ip -n {o} -6 addr replace {Outside6}/64 dev out0 nodad && " +
            $"ip -n {o} -6 addr replace {OtherHost6}/64 dev out0 nodad && " +
            $"ip -n {o} -6 route replace fd00:65::/64 via {Host6} dev out0");
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: lab-v6
            spec:
              cidr: fd00:65::/64
              blockSize: 122
              natOutgoing: true
            """);
        return await host.AddPodAsync(name, ip, ip6);
    }

    private Task SetNatOptionsAsync(string specLines) => host.ApplyAsync($"""
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata:
          name: node.host1
        spec:
          {specLines}
        """);

    private Task ClearNatOptionsAsync() => host.DeleteAsync(ResourceKinds.FelixConfiguration, null, "node.host1");

    /// <summary>Connects until the outside reports <paramref name="expected"/> as the source (and a port in the range).</summary>
    private async Task<Seen> ExpectSourceAsync(Pod pod, IPAddress target, IPAddress expected, string what, (int First, int Last)? inRange = null)
    {
        Seen? seen = null;
        await host.WaitForAsync(
            async () =>
            {
                seen = await SeenTcpAsync(pod, target);
                return seen is { } s && s.Address.Equals(expected) && (inRange is not { } r || (s.Port >= r.First && s.Port <= r.Last));
            },
            Converge,
            $"{what}: {target} to see {expected}{(inRange is { } r ? $" from a port in {r.First}-{r.Last}" : "")} (last seen: {seen?.ToString() ?? "nothing"}); nat chain:\n{NatChain()}");
        return seen!;
    }

    /// <summary>One TCP connection from the pod, from a source port outside any range the tests use; what the outside saw.</summary>
    private static async Task<Seen?> SeenTcpAsync(Pod pod, IPAddress target)
    {
        IPAddress source = target.AddressFamily == AddressFamily.InterNetworkV6 ? pod.Address6! : pod.Address;
        int sourcePort = NextSourcePort();
        using Socket socket = await NetworkNamespace.RunInAsync("/var/run/netns/" + pod.Netns, () =>
        {
            var s = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(source, sourcePort));
            return s;
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target, Port), cts.Token);
            var buffer = new byte[128];
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Seen.Parse(Encoding.ASCII.GetString(buffer, 0, n));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>One UDP datagram from the pod; the outside's answer says where it came from.</summary>
    private static async Task<Seen?> SeenUdpAsync(Pod pod, IPAddress target)
    {
        IPAddress source = target.AddressFamily == AddressFamily.InterNetworkV6 ? pod.Address6! : pod.Address;
        int sourcePort = NextSourcePort();
        using Socket socket = await NetworkNamespace.RunInAsync("/var/run/netns/" + pod.Netns, () =>
        {
            var s = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(source, sourcePort));
            return s;
        });
        for (int attempt = 0; attempt < 5; attempt++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await socket.SendToAsync(Encoding.ASCII.GetBytes("where"), new IPEndPoint(target, Port), cts.Token);
                var buffer = new byte[128];
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                return Seen.Parse(Encoding.ASCII.GetString(buffer, 0, n));
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
            }
        }

        return null;
    }

    private static int NextSourcePort() => Interlocked.Increment(ref s_sourcePort);

    private string NatChain() => host.Nft("list chain inet calico nat-POSTROUTING 2>&1 || true");


    private sealed record Seen(IPAddress Address, int Port)
    {
        public static Seen Parse(string line)
        {
            string[] parts = line.Trim().Split(' ');
            return new Seen(IPAddress.Parse(parts[0]), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        public override string ToString() => $"{Address} port {Port}";
    }

    /// <summary>TCP (any address) and UDP (the outside's own) servers on port 9400 in the outside namespace, answering "address port".</summary>
    private sealed class Outside : IDisposable
    {
        private readonly List<Socket> _sockets = [];
        private readonly CancellationTokenSource _stop = new();

        public static async Task<Outside> StartAsync(string netns)
        {
            var outside = new Outside();
            foreach (IPAddress any in new[] { IPAddress.Any, IPAddress.IPv6Any })
            {
                Socket tcp = await Bound(netns, any, SocketType.Stream, ProtocolType.Tcp);
                tcp.Listen(16);
                outside._sockets.Add(tcp);
                _ = outside.ServeTcpAsync(tcp);
            }

            // UDP on the outside's own addresses: an answer from the wildcard could leave from the other host's address
            // (the same link), which is not the flow the datagram's NAT expects back.
            foreach (IPAddress own in new[] { Outside4, Outside6 })
            {
                Socket udp = await Bound(netns, own, SocketType.Dgram, ProtocolType.Udp);
                outside._sockets.Add(udp);
                _ = outside.ServeUdpAsync(udp);
            }

            return outside;
        }

        public void Dispose()
        {
            _stop.Cancel();
            foreach (Socket socket in _sockets)
            {
                socket.Dispose();
            }

            _stop.Dispose();
        }

        private static Task<Socket> Bound(string netns, IPAddress address, SocketType type, ProtocolType protocol) =>
            NetworkNamespace.RunInAsync("/var/run/netns/" + netns, () =>
            {
                var s = new Socket(address.AddressFamily, type, protocol);
                s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    s.DualMode = false;
                }

                s.Bind(new IPEndPoint(address, Port));
                return s;
            });

        private static byte[] Report(EndPoint peer)
        {
            var endpoint = (IPEndPoint)peer;
            return Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{endpoint.Address} {endpoint.Port}\n"));
        }

        private async Task ServeTcpAsync(Socket listener)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using Socket client = await listener.AcceptAsync(_stop.Token);
                    await client.SendAsync(Report(client.RemoteEndPoint!), SocketFlags.None, _stop.Token);
                    client.Shutdown(SocketShutdown.Both);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
        }

        private async Task ServeUdpAsync(Socket socket)
        {
            var buffer = new byte[64];
            EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    SocketReceiveFromResult r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                    await socket.SendToAsync(Report(r.RemoteEndPoint), SocketFlags.None, r.RemoteEndPoint, _stop.Token);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
        }
    }
}
