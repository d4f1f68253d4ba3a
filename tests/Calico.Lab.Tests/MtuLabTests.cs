using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Calico.Lab.Cluster;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// MTU end to end on the shared routing lab (VXLAN CrossSubnet, no <c>mtu</c> in the lab's conflist): each host's
/// calico-node writes the workload MTU (eth0's minus 50, minus 70 once an IPv6 pool uses VXLAN) to its own state
/// directory, the plugin reads it from beside its <c>nodename_file</c>, and full-size packets at that MTU cross the
/// tunnel between subnets (x/a on host1 to x/c on host3) without fragmentation. Changing the pool's encapsulation
/// rewrites the file and says what existing workloads have.
/// </summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed class MtuLabTests(RoutingLabFixture fixture)
{
    private static readonly string[] s_hosts = ["host1", "host2", "host3"];

    [Fact]
    public async Task VxlanCrossSubnet_WorkloadsGetParentMinusOverhead_DfPingAndTcpPayloadCrossTheTunnelUnfragmented()
    {
        int parent = LinkMtu(fixture.Host("host1").Netns, "eth0");
        int expected = parent - await OverheadAsync("CrossSubnet");

        foreach (var host in s_hosts)
        {
            Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), await EventuallyMtuFileAsync(host, expected));
        }

        Assert.Equal(parent - 50, LinkMtu(fixture.Host("host1").Netns, "vxlan.calico"));
        bool v6Vxlan = await V6VxlanAsync();
        if (v6Vxlan)
        {
            Assert.Equal(parent - 70, LinkMtu(fixture.Host("host1").Netns, "vxlan-v6.calico"));
        }
        foreach (var pod in new[] { "a", "c" })
        {
            Assert.Equal(expected, LinkMtu(fixture.Pod(pod).Netns, "eth0"));
        }

        Assert.Equal("vxlan.calico", fixture.RouteGet("host1", fixture.Pod("c").Address).Dev); // other subnet: through the tunnel
        var before = await FragmentCountersAsync();

        string a = fixture.Pod("a").Netns;
        string c = fixture.Pod("c").Address;
        string fits = (expected - 28).ToString(CultureInfo.InvariantCulture);
        Assert.True(
            await LabRunner.EventuallyAsync(async () => (await LabRunner.InNetnsAsync(a, "ping", "-M", "do", "-s", fits, "-c", "1", "-W", "2", c)).ExitCode == 0, CrossHostFixture.Converge),
            $"a ping with DF of {fits} bytes (the workload MTU {expected}) from x/a does not reach x/c across the tunnel");
        var tooBig = await LabRunner.InNetnsAsync(a, "ping", "-M", "do", "-s", (expected - 27).ToString(CultureInfo.InvariantCulture), "-c", "1", "-W", "2", c);
        Assert.True(tooBig.ExitCode != 0, "one byte above the workload MTU with DF should not leave x/a: " + tooBig.Output + tooBig.Error);

        if (v6Vxlan)
        {
            string c6 = fixture.Pod("c").Address6;
            string fits6 = (expected - 48).ToString(CultureInfo.InvariantCulture);
            Assert.True(
                await LabRunner.EventuallyAsync(async () => (await LabRunner.InNetnsAsync(a, "ping", "-6", "-M", "do", "-s", fits6, "-c", "1", "-W", "2", c6)).ExitCode == 0, CrossHostFixture.Converge),
                $"an IPv6 ping with DF of {fits6} bytes (the workload MTU {expected}) from x/a does not reach x/c across vxlan-v6.calico");
        }

        var received = await SendTcpPayloadAsync(fixture.Pod("a"), fixture.Pod("c"), 1400);
        Assert.Equal(1400, received);

        var after = await FragmentCountersAsync();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task PoolEncapsulationChanged_FileFollows_ExistingWorkloadsKeepTheirMtuAndCalicoNodeSaysSo()
    {
        int parent = LinkMtu(fixture.Host("host1").Netns, "eth0");
        int withVxlan = parent - await OverheadAsync("CrossSubnet");
        bool v6Vxlan = await V6VxlanAsync();
        int without = parent; // every pool's vxlanMode Never below
        await EventuallyMtuFileAsync("host1", withVxlan);
        try
        {
            await fixture.SetVxlanModeAsync("Never");
            if (v6Vxlan)
            {
                await fixture.SetVxlanModeAsync("Never", family: 6);
            }
            foreach (var host in s_hosts)
            {
                Assert.Equal(without.ToString(CultureInfo.InvariantCulture), await EventuallyMtuFileAsync(host, without));
            }

            Assert.Equal(withVxlan, LinkMtu(fixture.Pod("a").Netns, "eth0")); // an existing workload keeps its MTU
            // calico-node's log is written asynchronously: wait for the line rather than read once.
            string logPath = Path.Combine(fixture.Host("host1").Directory, "calico-node.log");
            string changed = string.Create(CultureInfo.InvariantCulture, $"Workload MTU changed from {withVxlan} to {without}");
            await LabRunner.EventuallyAsync(async () => (await File.ReadAllTextAsync(logPath)).Contains(changed, StringComparison.Ordinal), CrossHostFixture.Converge);
            string log = await File.ReadAllTextAsync(logPath);
            Assert.Contains(changed, log, StringComparison.Ordinal);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $" at {withVxlan})"), log, StringComparison.Ordinal); // what x/a has
        }
        finally
        {
            await fixture.SetVxlanModeAsync("CrossSubnet");
            if (v6Vxlan)
            {
                await fixture.SetVxlanModeAsync("CrossSubnet", family: 6);
            }
        }

        Assert.Equal(withVxlan.ToString(CultureInfo.InvariantCulture), await EventuallyMtuFileAsync("host1", withVxlan));
        Assert.True(await fixture.EventuallyReachesAsync("a", "c"), "x/a does not reach x/c after the pool's vxlanMode was restored");
    }

    /// <summary>The lab's pools' overhead with the IPv4 pool at <paramref name="v4Mode"/>: 70 when the IPv6 pool uses VXLAN, else 50 or 0.</summary>
    private async Task<int> OverheadAsync(string v4Mode) => await V6VxlanAsync() ? 70 : v4Mode == "Never" ? 0 : 50;

    /// <summary>Whether the lab's IPv6 pool uses VXLAN (calico-lab up --encapsulation sets it once IPv6 VXLAN exists).</summary>
    private async Task<bool> V6VxlanAsync()
    {
        using var pools = JsonDocument.Parse(await fixture.Lab.CalicoctlAsync(null, "get", "ippool", "-o", "json"));
        var items = pools.RootElement.ValueKind == JsonValueKind.Array ? pools.RootElement : pools.RootElement.GetProperty("items");
        return items.EnumerateArray().Any(p =>
            p.GetProperty("spec").GetProperty("cidr").GetString()!.Contains(':', StringComparison.Ordinal)
            && p.GetProperty("spec").TryGetProperty("vxlanMode", out var mode) && mode.GetString() is "Always" or "CrossSubnet");
    }

    private async Task<string> EventuallyMtuFileAsync(string host, int expected)
    {
        string path = Path.Combine(fixture.Host(host).Directory, "mtu");
        string Read() => File.Exists(path) ? File.ReadAllText(path) : "(missing)";
        await LabRunner.EventuallyAsync(() => Task.FromResult(Read() == expected.ToString(CultureInfo.InvariantCulture)), CrossHostFixture.Converge);
        return Read();
    }

    private static int LinkMtu(string netns, string device) => IpTool.Json("-n", netns, "link", "show", device)[0].GetProperty("mtu").GetInt32();

    /// <summary>IP fragments created and reassembly requests in host1, host3 and the two pods (per namespace, /proc/net/snmp).</summary>
    private async Task<string> FragmentCountersAsync()
    {
        var parts = new List<string>();
        foreach (var netns in new[] { fixture.Host("host1").Netns, fixture.Host("host3").Netns, fixture.Pod("a").Netns, fixture.Pod("c").Netns })
        {
            var snmp = (await LabRunner.InNetnsAsync(netns, "cat", "/proc/net/snmp")).Output.Split('\n').Where(l => l.StartsWith("Ip:", StringComparison.Ordinal)).ToList();
            var names = snmp[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = snmp[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string Value(string name) => values[Array.IndexOf(names, name)];
            parts.Add($"{netns}: FragCreates {Value("FragCreates")} ReasmReqds {Value("ReasmReqds")}");
        }

        return string.Join("; ", parts);
    }

    /// <summary>A TCP connection from one pod to another (port 8400), <paramref name="size"/> bytes sent; returns the bytes the server read.</summary>
    private static async Task<int> SendTcpPayloadAsync(LabPod from, LabPod to, int size)
    {
        var address = IPAddress.Parse(to.Address);
        using var listener = await NetworkNamespace.RunInAsync(LabLayout.NetnsPath(to.Netns), () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, 8400));
            socket.Listen(1);
            return socket;
        });
        using var client = await NetworkNamespace.RunInAsync(LabLayout.NetnsPath(from.Netns), () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var accept = listener.AcceptAsync(timeout.Token).AsTask();
        await client.ConnectAsync(new IPEndPoint(address, 8400), timeout.Token);
        await client.SendAsync(new byte[size], SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Send);
        using var server = await accept;
        var buffer = new byte[size + 100];
        int total = 0;
        while (true)
        {
            int read = await server.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
