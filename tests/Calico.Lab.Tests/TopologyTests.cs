using System.Net;
using System.Text.Json;
using Calico.Api;
using Calico.Client;
using Calico.Datastore.Embedded;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>Root tier: the fabric of two subnets, the outside, the ToR's BIRD, the pools, IPv6 on pods (no calico-node).</summary>
[Trait("Tier", "Cluster")]
public sealed class TopologyTests(TopologyFixture fixture) : IClassFixture<TopologyFixture>
{
    private LabRunner Lab => fixture.Lab;

    [Fact]
    public void Fabric_RoutesBetweenTwoSubnets_V4AndV6()
    {
        var addresses = Addresses(Lab.Netns("fabric"));
        Assert.Contains("br0 172.30.0.1/24", addresses);
        Assert.Contains("br1 172.30.1.1/24", addresses);
        Assert.Contains("br0 fd00:30::1/64", addresses);
        Assert.Contains("br1 fd00:30:1::1/64", addresses);
        Assert.Contains("out0 203.0.113.1/24", addresses);
        Assert.Equal("1", IpTool.Run("netns", "exec", Lab.Netns("fabric"), "sysctl", "-n", "net.ipv4.ip_forward").Trim());
        Assert.Equal("1", IpTool.Run("netns", "exec", Lab.Netns("fabric"), "sysctl", "-n", "net.ipv6.conf.all.forwarding").Trim());
    }

    [Fact]
    public void Hosts_AlternateSubnets_HostThreeIsAcrossTheRouter()
    {
        Assert.Contains("eth0 172.30.0.11/24", Addresses(Lab.Netns("host1")));
        Assert.Contains("eth0 fd00:30::11/64", Addresses(Lab.Netns("host1")));
        Assert.Contains("eth0 172.30.0.12/24", Addresses(Lab.Netns("host2")));
        Assert.Contains("eth0 172.30.1.13/24", Addresses(Lab.Netns("host3")));
        Assert.Contains("eth0 fd00:30:1::13/64", Addresses(Lab.Netns("host3")));
        var state = fixture.State();
        Assert.Equal([0, 0, 1], state.Hosts.Select(h => h.Subnet));

        // host3 to host1 crosses the fabric router, both families.
        Assert.Equal(0, IpTool.TryRun("netns", "exec", Lab.Netns("host3"), "ping", "-c", "1", "-W", "2", "172.30.0.11").ExitCode);
        Assert.Equal(0, IpTool.TryRun("netns", "exec", Lab.Netns("host3"), "ping", "-6", "-c", "1", "-W", "2", "fd00:30::11").ExitCode);
    }

    [Fact]
    public async Task Outside_ReachableFromEveryHost_AndExecRunsThere()
    {
        foreach (var host in new[] { "host1", "host3" })
        {
            Assert.Equal(0, IpTool.TryRun("netns", "exec", Lab.Netns(host), "ping", "-c", "1", "-W", "2", FabricAddressing.OutsideAddress).ExitCode);
            Assert.Equal(0, IpTool.TryRun("netns", "exec", Lab.Netns(host), "ping", "-6", "-c", "1", "-W", "2", FabricAddressing.OutsideAddress6).ExitCode);
        }

        var output = await Lab.MustAsync("exec", "outside", "--", "ip", "-j", "-4", "addr", "show", "dev", "eth0");
        using var json = JsonDocument.Parse(output);
        Assert.Equal("203.0.113.2", json.RootElement[0].GetProperty("addr_info")[0].GetProperty("local").GetString());
    }

    [Fact]
    public async Task Tor_BirdAnswersOnItsSocket_WithOneSessionPerHostAndFamily()
    {
        var state = fixture.State();
        Assert.True(state.Tor);
        Assert.NotNull(state.TorBird);
        var socket = Path.Combine(Lab.StateDir, "tor", "bird.ctl");
        var status = await Command.RunAsync(Prerequisites.Require("birdc"), ["-s", socket, "show", "status"]);
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.Contains("Router ID is 172.30.0.254", status.Output, StringComparison.Ordinal);
        Assert.Contains("Daemon is up and running", status.Output, StringComparison.Ordinal);
        var protocols = await Command.RunAsync(Prerequisites.Require("birdc"), ["-s", socket, "show", "protocols"]);
        foreach (var name in new[] { "host1", "host1_v6", "host2", "host2_v6", "host3", "host3_v6" })
        {
            Assert.Contains("\n" + name + " ", protocols.Output, StringComparison.Ordinal);
        }

        Assert.Contains("eth1 172.30.1.254/24", Addresses(Lab.Netns("tor")));
        Assert.Contains(fixture.UpOutput.Split('\n'), l => l.Contains("BGPPeer {peerIP: 172.30.0.254, asNumber: 65000}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Up_Pools_V4WithChosenVxlanMode_AndV6()
    {
        await using var store = new EmbeddedKeyValueStore(Path.Combine(Lab.StateDir, "calico.db"));
        var client = new ResourceClient(store, TimeProvider.System);
        var (items, _) = await client.ListAsync(ResourceKinds.IPPool, null, CancellationToken.None);
        var pools = items.OfType<IPPool>().ToDictionary(p => p.Spec.Cidr);
        Assert.Equal(["10.65.0.0/16", "fd00:65::/48"], pools.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("CrossSubnet", pools["10.65.0.0/16"].Spec.VxlanMode);
        Assert.Equal(26, pools["10.65.0.0/16"].Spec.BlockSize);
        Assert.Equal(122, pools["fd00:65::/48"].Spec.BlockSize);
        Assert.True(pools["fd00:65::/48"].Spec.NatOutgoing);
    }

    [Fact]
    public async Task Up_PrintsTheCalicoctlNodeStatusHint()
    {
        Assert.Contains(
            $"ip netns exec {Lab.Netns("host1")} env CALICO_BIRD_SOCKET={Path.Combine(Lab.StateDir, "host1", "bird.ctl")} calicoctl node status",
            fixture.UpOutput,
            StringComparison.Ordinal);
        Assert.Contains("export DATASTORE_TYPE=embedded", fixture.UpOutput, StringComparison.Ordinal);
        Assert.Contains("CALICO_DATASTORE_PATH=", fixture.UpOutput, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Run_PodsGetIpv6Addresses_AndReachEachOtherOverIpv6()
    {
        var pods = fixture.State().Pods;
        Assert.All(pods, p => Assert.True(IPAddress.Parse(p.Address6).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6));
        var inside = await Lab.MustAsync("exec", "x/a", "--", "ip", "-j", "-6", "addr", "show", "dev", "eth0", "scope", "global");
        Assert.Contains(pods.Single(p => p.Name == "a").Address6, inside, StringComparison.Ordinal);
        Assert.StartsWith("fd00:65:", pods[0].Address6, StringComparison.Ordinal);

        var matrix = await Lab.MustAsync("matrix", "--family", "6");
        Assert.Equal(
            "TCP/80 (rows: from, columns: to; . allowed, X denied (dropped: no answer), o not listening (refused), ! unreachable (no route))\n" +
            "     x/a x/b\n" +
            "x/a  -   .  \n" +
            "x/b  .   -  \n" +
            "UDP/81 (rows: from, columns: to; . allowed, X denied (dropped: no answer), o not listening (refused), ! unreachable (no route))\n" +
            "     x/a x/b\n" +
            "x/a  -   .  \n" +
            "x/b  .   -  \n",
            matrix);
    }

    [Theory]
    [InlineData(new[] { "matrix", "--family", "5" }, "--family '5' is not 4 or 6")]
    [InlineData(new[] { "exec", "host9", "--", "true" }, "unknown exec target 'host9'")]
    [InlineData(new[] { "up", "--encapsulation", "ipip" }, "--encapsulation 'ipip' is not none, vxlan or vxlan-crosssubnet")]
    public async Task BadArguments_ClearError_Exit1(string[] args, string message)
    {
        var outcome = await Lab.RunAsync(args[0], args[1..]);
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains(message, outcome.Error, StringComparison.Ordinal);
    }

    /// <summary>"dev address/prefix" for every address in the namespace.</summary>
    private static List<string> Addresses(string netns)
    {
        var json = IpTool.Json("-n", netns, "addr", "show");
        var result = new List<string>();
        foreach (var link in json.EnumerateArray())
        {
            foreach (var address in link.GetProperty("addr_info").EnumerateArray())
            {
                result.Add($"{link.GetProperty("ifname").GetString()} {address.GetProperty("local").GetString()}/{address.GetProperty("prefixlen").GetInt32()}");
            }
        }

        return result;
    }
}
