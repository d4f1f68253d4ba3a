using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Calico.Api;
using Calico.Linux;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier, the real calico-node on one dual-stack host: a workload that puts another pod's address on its interface
/// and sends from it is dropped by the reverse-path check in raw-PREROUTING, IPv4 and IPv6, although the server's
/// policy admits the impersonated pod; the impersonated pod itself gets through. The workload interfaces keep the
/// host's default rp_filter (upstream's choice), so the IPv4 drop is the table's. The drop is proven by the check's
/// own counter (the spoofed datagram reached the rule), the non-arrival by the server's socket afterwards.
/// </summary>
[Trait("Tier", "Root")]
public sealed partial class SourceSpoofingKernelTests(AgentHostFixture host) : IClassFixture<AgentHostFixture>
{
    private const int Port = 9300;
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Workload_sending_from_another_pods_address_is_dropped_and_the_real_pod_is_admitted()
    {
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: lab-v6
            spec:
              cidr: fd00:65::/64
              blockSize: 122
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata:
              name: only-friend
              namespace: ns1
            spec:
              selector: app == 'spoof-server'
              types: [Ingress]
              ingress:
              - action: Allow
                protocol: UDP
                source:
                  selector: app == 'friend'
            """);
        Pod server = await host.AddPodAsync("ssrv", "10.65.0.50", "fd00:65::50", ("app", "spoof-server"));
        Pod friend = await host.AddPodAsync("sfrn", "10.65.0.51", "fd00:65::51", ("app", "friend"));
        Pod mallory = await host.AddPodAsync("smal", "10.65.0.52", "fd00:65::52");
        await host.WaitForAsync(
            () => Task.FromResult(host.Nft($"list chain inet calico cali-tw-{server.HostInterface} 2>/dev/null || true").Contains("Start of tier", StringComparison.Ordinal)),
            Converge, "the server's ingress policy in its endpoint chain");

        // Upstream's rp_filter for workload interfaces is the host's default (0 in a fresh namespace), so the drops
        // below are the table's check before conntrack, not the kernel's reverse-path filter in routing.
        string hostDefault = AgentHostFixture.Sh($"ip netns exec {host.HostNs} cat /proc/sys/net/ipv4/conf/default/rp_filter").Trim();
        await host.WaitForAsync(
            () => Task.FromResult(AgentHostFixture.Sh($"ip netns exec {host.HostNs} cat /proc/sys/net/ipv4/conf/{mallory.HostInterface}/rp_filter").Trim() == hostDefault),
            Converge, $"rp_filter of {mallory.HostInterface} to be the host's default {hostDefault}");

        // The spoofed datagram must be the packet that meets the check, not a neighbour solicitation for the gateway.
        AgentHostFixture.Sh($"ip -n {mallory.Netns} neigh replace 169.254.1.1 lladdr ee:ee:ee:ee:ee:ee dev eth0 nud permanent && " +
                            $"ip -n {mallory.Netns} -6 neigh replace fe80::ecee:eeff:feee:eeee lladdr ee:ee:ee:ee:ee:ee dev eth0 nud permanent && " +
                            $"ip -n {mallory.Netns} addr add {friend.Address}/32 dev eth0 && " +
                            $"ip -n {mallory.Netns} addr add {friend.Address6}/128 dev eth0 nodad");

        await CheckFamilyAsync(server, server.Address, friend, mallory, friend.Address, v6: false);
        await CheckFamilyAsync(server, server.Address6!, friend, mallory, friend.Address6!, v6: true);
    }

    [Fact]
    public async Task Allowed_spoofed_prefix_passes_the_source_check_only_when_workload_source_spoofing_is_Any()
    {
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata:
              name: only-vip-friend
              namespace: ns1
            spec:
              selector: app == 'vip-server'
              types: [Ingress]
              ingress:
              - action: Allow
                protocol: UDP
                source:
                  nets: [10.65.9.9/32]
            """);
        Pod server = await host.AddPodAsync("vsrv", "10.65.0.60", ("app", "vip-server"));
        Pod sender = await host.AddPodAsync("vsnd", "10.65.0.61");
        IPAddress vip = IPAddress.Parse("10.65.9.9");
        AgentHostFixture.Sh($"ip -n {sender.Netns} neigh replace 169.254.1.1 lladdr ee:ee:ee:ee:ee:ee dev eth0 nud permanent && " +
                            $"ip -n {sender.Netns} addr add {vip}/32 dev eth0");
        var wep = (WorkloadEndpoint)(await host.Client.GetAsync(ResourceKinds.WorkloadEndpoint, "ns1", "host1-k8s-vsnd-eth0", CancellationToken.None))!;
        wep.Spec.AllowSpoofedSourcePrefixes = ["10.65.9.0/24"];
        Assert.True((await host.Client.UpdateAsync(wep, CancellationToken.None)).Succeeded);

        using Socket listener = await NetworkNamespace.RunInAsync("/var/run/netns/" + server.Netns, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(server.Address, Port));
            return s;
        });
        var received = new ConcurrentQueue<(string Payload, IPAddress From)>();
        using var stop = new CancellationTokenSource();
        Task receiving = ReceiveAllAsync(listener, received, stop.Token);
        try
        {
            using Socket spoofer = await BoundSocketAsync(sender.Netns, vip);

            // WorkloadSourceSpoofing Disabled (the default): the prefix is ignored, the check drops the datagram.
            long before = SpoofDrops(v6: false);
            await host.WaitForAsync(async () =>
            {
                await spoofer.SendToAsync(Encoding.ASCII.GetBytes("disabled"), new IPEndPoint(server.Address, Port));
                return SpoofDrops(v6: false) > before;
            }, Converge, "the datagram from the allowed prefix to be dropped while WorkloadSourceSpoofing is Disabled");
            await host.WaitForAsync(
                () => Task.FromResult(host.AgentOutput.Contains("spec.allowSpoofedSourcePrefixes ignored", StringComparison.Ordinal)),
                Converge, "the warning naming spec.allowSpoofedSourcePrefixes while WorkloadSourceSpoofing is Disabled");

            await host.ApplyAsync("""
                apiVersion: projectcalico.org/v3
                kind: FelixConfiguration
                metadata:
                  name: node.host1
                spec:
                  workloadSourceSpoofing: Any
                """);
            await host.WaitForAsync(async () =>
            {
                await spoofer.SendToAsync(Encoding.ASCII.GetBytes("any"), new IPEndPoint(server.Address, Port));
                await Task.Delay(50);
                return received.Any(d => d.Payload == "any");
            }, Converge, "the datagram from the allowed prefix to arrive once WorkloadSourceSpoofing is Any");

            Assert.All(received, d => Assert.Equal(("any", vip), d));
            Assert.Contains("allowSpoofedSourcePrefixes of", host.Nft("list chain inet calico raw-PREROUTING"), StringComparison.Ordinal);
        }
        finally
        {
            await host.DeleteAsync(ResourceKinds.FelixConfiguration, null, "node.host1");
            await stop.CancelAsync();
            listener.Close();
            await receiving;
        }
    }

    [Fact]
    public async Task Workload_resolves_the_host_by_neighbour_discovery_from_its_link_local_address()
    {
        string ping = TestKit.Prerequisites.Require("ping");
        Pod pod = await host.AddPodAsync("snd", "10.65.0.53", "fd00:65::53");

        // A link-local destination makes the kernel solicit from the link-local source, which the check must pass
        // (the echo itself meets DefaultEndpointToHostAction Drop; the neighbour entry is what shows ND worked).
        await host.WaitForAsync(() =>
        {
            AgentHostFixture.Sh($"ip netns exec {pod.Netns} {ping} -6 -n -c 1 -W 1 fe80::ecee:eeff:feee:eeee%eth0 >/dev/null 2>&1 || true");
            string neighbour = AgentHostFixture.Sh($"ip -n {pod.Netns} -6 neigh show fe80::ecee:eeff:feee:eeee dev eth0");
            return Task.FromResult(neighbour.Contains("lladdr ee:ee:ee:ee:ee:ee", StringComparison.Ordinal));
        }, Converge, "the host's link-local to be resolved by neighbour discovery");
    }

    private async Task CheckFamilyAsync(Pod server, IPAddress serverAddress, Pod friend, Pod mallory, IPAddress impersonated, bool v6)
    {
        using Socket listener = await NetworkNamespace.RunInAsync("/var/run/netns/" + server.Netns, () =>
        {
            var s = new Socket(serverAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(serverAddress, Port));
            return s;
        });
        var received = new ConcurrentQueue<(string Payload, IPAddress From)>();
        using var stop = new CancellationTokenSource();
        Task receiving = ReceiveAllAsync(listener, received, stop.Token);
        try
        {
            long before = SpoofDrops(v6);
            using Socket spoofer = await BoundSocketAsync(mallory.Netns, impersonated);
            await host.WaitForAsync(async () =>
            {
                await spoofer.SendToAsync(Encoding.ASCII.GetBytes("spoofed"), new IPEndPoint(serverAddress, Port));
                return SpoofDrops(v6) > before;
            }, Converge, $"the spoofed {(v6 ? "IPv6" : "IPv4")} datagram to meet the source check");

            using Socket real = await BoundSocketAsync(friend.Netns, impersonated);
            await host.WaitForAsync(async () =>
            {
                await real.SendToAsync(Encoding.ASCII.GetBytes("real"), new IPEndPoint(serverAddress, Port));
                await Task.Delay(50);
                return !received.IsEmpty;
            }, Converge, $"the real pod's {(v6 ? "IPv6" : "IPv4")} datagram");

            // Everything that arrived came from the real pod: the spoofed ones were dropped (counted) before it was sent.
            Assert.All(received, d => Assert.Equal(("real", impersonated), d));
        }
        finally
        {
            await stop.CancelAsync();
            listener.Close();
            await receiving;
        }
    }

    private static async Task ReceiveAllAsync(Socket socket, ConcurrentQueue<(string, IPAddress)> received, CancellationToken cancellationToken)
    {
        var buffer = new byte[64];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                SocketReceiveFromResult r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
                received.Enqueue((Encoding.ASCII.GetString(buffer, 0, r.ReceivedBytes), ((IPEndPoint)r.RemoteEndPoint).Address));
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
        }
    }

    private static Task<Socket> BoundSocketAsync(string netns, IPAddress source) =>
        NetworkNamespace.RunInAsync("/var/run/netns/" + netns, () =>
        {
            var s = new Socket(source.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(source, 0));
            return s;
        });

    /// <summary>Packets the raw-PREROUTING source check has dropped for one family.</summary>
    private long SpoofDrops(bool v6)
    {
        string chain = host.Nft("list chain inet calico raw-PREROUTING");
        Match m = (v6 ? V6Drop() : V4Drop()).Match(chain);
        Assert.True(m.Success, chain);
        return long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }


    [GeneratedRegex(@"meta nfproto ipv4 fib saddr \. iif oif missing counter packets (\d+)")]
    private static partial Regex V4Drop();

    [GeneratedRegex(@"ip6 saddr != :: fib saddr \. iif oif missing counter packets (\d+)")]
    private static partial Regex V6Drop();
}
