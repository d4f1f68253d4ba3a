using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Calico.Linux.Netlink;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Linux.Tests;

/// <summary>Root tier: real veths in namespaces each test creates (one standing as the host) and removes.</summary>
[Trait("Tier", "Root")]
public class WorkloadInterfacesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SetUp_IPv4_CreatesExactStateInBothNamespaces()
    {
        using var host = new TestHost();
        NetnsScope workload = host.NewWorkloadNamespace();
        WorkloadInterfaceSpec spec = TestHost.Spec(workload, ipv4: "10.65.0.5", mtu: 1440);

        WorkloadInterfaceResult result = await host.SetUpAsync(spec);

        Assert.Equal(spec.HostIfName, result.HostIfName);
        Assert.Equal("ee:ee:ee:ee:ee:ee", result.HostMac);
        Assert.Equal("eth0", result.ContainerIfName);
        Assert.Matches("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", result.ContainerMac);

        // Host side, through ip -j.
        JsonElement hostLink = Assert.Single(host.Namespace.IpJson("link", "show", "dev", spec.HostIfName).EnumerateArray());
        Assert.Equal("ee:ee:ee:ee:ee:ee", hostLink.GetProperty("address").GetString());
        Assert.Equal(1440, hostLink.GetProperty("mtu").GetInt32());
        Assert.Contains("UP", hostLink.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        JsonElement hostRoute = Assert.Single(host.Namespace.IpJson("route", "show", "dev", spec.HostIfName).EnumerateArray());
        Assert.Equal("10.65.0.5", hostRoute.GetProperty("dst").GetString());
        Assert.Equal("link", hostRoute.GetProperty("scope").GetString());
        Assert.Equal("1", host.Namespace.Sysctl($"net/ipv4/conf/{spec.HostIfName}/proxy_arp"));
        Assert.Equal("1", host.Namespace.Sysctl($"net/ipv4/conf/{spec.HostIfName}/forwarding"));
        Assert.Equal("0", host.Namespace.Sysctl($"net/ipv4/neigh/{spec.HostIfName}/proxy_delay"));
        Assert.Equal("0", host.Namespace.Sysctl($"net/ipv6/conf/{spec.HostIfName}/accept_ra"));

        // Container side, through ip -j.
        Assert.Equal(["lo", "eth0"], TestHost.LinkNames(workload));
        JsonElement eth0 = Assert.Single(workload.IpJson("addr", "show", "dev", "eth0").EnumerateArray());
        Assert.Equal(result.ContainerMac, eth0.GetProperty("address").GetString());
        Assert.Equal(result.ContainerIfIndex, eth0.GetProperty("ifindex").GetInt32());
        Assert.Equal(1440, eth0.GetProperty("mtu").GetInt32());
        JsonElement v4 = Assert.Single(eth0.GetProperty("addr_info").EnumerateArray(), a => a.GetProperty("family").GetString() == "inet");
        Assert.Equal("10.65.0.5", v4.GetProperty("local").GetString());
        Assert.Equal(32, v4.GetProperty("prefixlen").GetInt32());
        JsonElement[] routes = [.. workload.IpJson("-4", "route", "show").EnumerateArray()];
        Assert.Equal(2, routes.Length);
        Assert.Contains(routes, r => r.GetProperty("dst").GetString() == "default" && r.GetProperty("gateway").GetString() == "169.254.1.1"
            && r.GetProperty("dev").GetString() == "eth0");
        Assert.Contains(routes, r => r.GetProperty("dst").GetString() == "169.254.1.1" && r.GetProperty("scope").GetString() == "link"
            && r.GetProperty("dev").GetString() == "eth0");
        JsonElement lo = Assert.Single(workload.IpJson("link", "show", "dev", "lo").EnumerateArray());
        Assert.Contains("UP", lo.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

        // The same, through our reader.
        using RouteNetlink hostReader = await RouteNetlink.OpenInAsync(host.Path, CancellationToken.None);
        LinkInfo hostInfo = hostReader.GetLink(spec.HostIfName)!;
        Assert.Equal(("ee:ee:ee:ee:ee:ee", "veth", true), (hostInfo.Mac, hostInfo.Kind, hostInfo.IsUp));
        RouteInfo readRoute = Assert.Single(hostReader.ListRoutes(AddressFamily.InterNetwork), r => r.OutInterfaceIndex == hostInfo.Index);
        Assert.Equal((IPNetwork.Parse("10.65.0.5/32"), (byte)253, (byte)3), (readRoute.Destination, readRoute.Scope, readRoute.Protocol));
        using RouteNetlink workloadReader = await RouteNetlink.OpenInAsync(workload.Path, CancellationToken.None);
        LinkInfo eth0Info = workloadReader.GetLink("eth0")!;
        Assert.Equal(result.ContainerIfIndex, eth0Info.Index);
        AddressInfo address = Assert.Single(workloadReader.ListAddresses(AddressFamily.InterNetwork), a => a.InterfaceIndex == eth0Info.Index);
        Assert.Equal((IPAddress.Parse("10.65.0.5"), 32), (address.Address, address.PrefixLength));
        IReadOnlyList<RouteInfo> workloadRoutes = workloadReader.ListRoutes(AddressFamily.InterNetwork);
        Assert.Contains(workloadRoutes, r => r.Table == 254 && r.Destination.PrefixLength == 0 && IPAddress.Parse("169.254.1.1").Equals(r.Gateway));

        // Nothing appeared in the machine's own namespace.
        using RouteNetlink machine = RouteNetlink.Open();
        Assert.Null(machine.GetLink(spec.HostIfName));
        Assert.True(await host.CheckAsync(spec));
    }

    [Fact]
    public async Task SetUp_IPv6_AddsAddressDefaultViaHostLinkLocalAndSysctls()
    {
        using var host = new TestHost();
        NetnsScope workload = host.NewWorkloadNamespace();
        WorkloadInterfaceSpec spec = TestHost.Spec(workload, ipv4: "10.65.0.6", ipv6: "fd00:65::6");

        await host.SetUpAsync(spec);

        JsonElement hostAddress = Assert.Single(host.Namespace.IpJson("-6", "addr", "show", "dev", spec.HostIfName).EnumerateArray());
        Assert.Contains(hostAddress.GetProperty("addr_info").EnumerateArray(), a => a.GetProperty("local").GetString() == "fe80::ecee:eeff:feee:eeee");
        JsonElement hostRoute = Assert.Single(host.Namespace.IpJson("-6", "route", "show", "dev", spec.HostIfName).EnumerateArray(),
            r => r.GetProperty("dst").GetString() == "fd00:65::6");
        Assert.Equal("fd00:65::6", hostRoute.GetProperty("dst").GetString());
        Assert.Equal("1", host.Namespace.Sysctl($"net/ipv6/conf/{spec.HostIfName}/proxy_ndp"));
        Assert.Equal("1", host.Namespace.Sysctl($"net/ipv6/conf/{spec.HostIfName}/forwarding"));
        Assert.Equal("0", host.Namespace.Sysctl($"net/ipv6/conf/{spec.HostIfName}/accept_ra"));

        JsonElement eth0 = Assert.Single(workload.IpJson("-6", "addr", "show", "dev", "eth0").EnumerateArray());
        JsonElement global = Assert.Single(eth0.GetProperty("addr_info").EnumerateArray(), a => a.GetProperty("scope").GetString() == "global");
        Assert.Equal(("fd00:65::6", 128), (global.GetProperty("local").GetString(), global.GetProperty("prefixlen").GetInt32()));
        JsonElement defaultRoute = Assert.Single(workload.IpJson("-6", "route", "show", "default").EnumerateArray());
        Assert.Equal("fe80::ecee:eeff:feee:eeee", defaultRoute.GetProperty("gateway").GetString());
        Assert.Equal("eth0", defaultRoute.GetProperty("dev").GetString());

        using RouteNetlink reader = await RouteNetlink.OpenInAsync(workload.Path, CancellationToken.None);
        Assert.Contains(reader.ListAddresses(AddressFamily.InterNetworkV6), a => a.Address.Equals(IPAddress.Parse("fd00:65::6")) && a.PrefixLength == 128);
        Assert.True(await host.CheckAsync(spec));
    }

    [Fact]
    public async Task TwoWorkloads_InOneHost_ConnectOverIPv4AndIPv6()
    {
        using var host = new TestHost();
        (int sysctlExit, _, string sysctlError) = host.Namespace.Exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        Assert.True(sysctlExit == 0, "IPv6 forwarding in the test host namespace: " + sysctlError);
        NetnsScope first = host.NewWorkloadNamespace();
        NetnsScope second = host.NewWorkloadNamespace();
        await host.SetUpAsync(TestHost.Spec(first, ipv4: "10.65.1.1", ipv6: "fd00:65::1:1"));
        await host.SetUpAsync(TestHost.Spec(second, ipv4: "10.65.1.2", ipv6: "fd00:65::1:2"));

        await AssertConnectsAsync(first, second, IPAddress.Parse("10.65.1.2"));
        await AssertConnectsAsync(second, first, IPAddress.Parse("10.65.1.1"));
        await AssertConnectsAsync(first, second, IPAddress.Parse("fd00:65::1:2"));

        if (Prerequisites.Find("ping") is not null)
        {
            (int exit, string text, string error) = first.Exec("ping", "-c1", "-W2", "10.65.1.2");
            Assert.True(exit == 0, text + error);
        }
        else
        {
            output.WriteLine("ping not installed (iputils-ping): connectivity checked by TCP only");
        }
    }

    [Fact]
    public async Task SetUp_HostRouteViaOtherInterface_FailsAndLeavesNothing()
    {
        using var host = new TestHost();
        NetnsScope workload = host.NewWorkloadNamespace();
        host.Namespace.Ip("route", "add", "10.65.2.9/32", "dev", "up0", "scope", "link");
        WorkloadInterfaceSpec spec = TestHost.Spec(workload, ipv4: "10.65.2.9");

        NetlinkException failure = await Assert.ThrowsAsync<NetlinkException>(() => host.SetUpAsync(spec));

        Assert.Equal(17, failure.Errno);
        Assert.Contains("RTM_NEWROUTE 10.65.2.9/32 dev " + spec.HostIfName, failure.Message, StringComparison.Ordinal);
        Assert.Contains("File exists (EEXIST)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("up0", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(spec.HostIfName, TestHost.LinkNames(host.Namespace));
        Assert.Equal(["lo"], TestHost.LinkNames(workload));
        JsonElement kept = Assert.Single(host.Namespace.IpJson("route", "show", "10.65.2.9").EnumerateArray());
        Assert.Equal("up0", kept.GetProperty("dev").GetString());
    }

    [Fact]
    public async Task SetUp_ContainerInterfaceNameTaken_FailsAndLeavesNoHostSide()
    {
        using var host = new TestHost();
        NetnsScope workload = host.NewWorkloadNamespace();
        workload.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "other0");
        WorkloadInterfaceSpec spec = TestHost.Spec(workload, ipv4: "10.65.3.1");

        NetlinkException failure = await Assert.ThrowsAsync<NetlinkException>(() => host.SetUpAsync(spec));

        Assert.Equal(17, failure.Errno);
        Assert.StartsWith($"RTM_NEWLINK veth {spec.HostIfName}", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(spec.HostIfName, TestHost.LinkNames(host.Namespace));
        Assert.Empty(host.Namespace.IpJson("route", "show", "10.65.3.1").EnumerateArray());
    }

    [Fact]
    public async Task SetUp_MissingNetns_FailsNamingThePath()
    {
        using var host = new TestHost();
        WorkloadInterfaceSpec spec = TestHost.Spec(host.Namespace, ipv4: "10.65.3.2") with { NetnsPath = "/var/run/netns/calt-missing-x" };

        NetlinkException failure = await Assert.ThrowsAsync<NetlinkException>(() => host.SetUpAsync(spec));

        Assert.Equal(2, failure.Errno);
        Assert.Contains("/var/run/netns/calt-missing-x", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(spec.HostIfName, TestHost.LinkNames(host.Namespace));
    }

    [Fact]
    public async Task SetUp_StaleHostInterfaceOfSameName_IsReplaced()
    {
        using var host = new TestHost();
        NetnsScope workload = host.NewWorkloadNamespace();
        WorkloadInterfaceSpec spec = TestHost.Spec(workload, ipv4: "10.65.4.1");
        host.Namespace.Ip("link", "add", spec.HostIfName, "type", "veth", "peer", "name", "stale0");
        int staleIndex = Assert.Single(host.Namespace.IpJson("link", "show", "dev", spec.HostIfName).EnumerateArray()).GetProperty("ifindex").GetInt32();

        await host.SetUpAsync(spec);

        JsonElement link = Assert.Single(host.Namespace.IpJson("link", "show", "dev", spec.HostIfName).EnumerateArray());
        Assert.NotEqual(staleIndex, link.GetProperty("ifindex").GetInt32());
        Assert.Equal("ee:ee:ee:ee:ee:ee", link.GetProperty("address").GetString());
        Assert.DoesNotContain("stale0", TestHost.LinkNames(host.Namespace));
        Assert.True(await host.CheckAsync(spec));
    }

    [Fact]
    public async Task TearDown_IsIdempotentAndToleratesMissingNetns()
    {
        using var host = new TestHost();
        NetnsScope workload = host.NewWorkloadNamespace();
        WorkloadInterfaceSpec spec = TestHost.Spec(workload, ipv4: "10.65.5.1", ipv6: "fd00:65::5:1");
        await host.SetUpAsync(spec);

        await host.TearDownAsync(workload.Path, "eth0", spec.HostIfName);
        await host.TearDownAsync(workload.Path, "eth0", spec.HostIfName);
        await host.TearDownAsync("/var/run/netns/calt-missing-y", "eth0", spec.HostIfName);
        await host.TearDownAsync(null, "eth0", spec.HostIfName);

        Assert.Equal(["lo"], TestHost.LinkNames(workload));
        Assert.DoesNotContain(spec.HostIfName, TestHost.LinkNames(host.Namespace));
        Assert.Empty(host.Namespace.IpJson("route", "show", "10.65.5.1").EnumerateArray());
        Assert.False(await host.CheckAsync(spec));
    }

    [Fact]
    public async Task TearDown_NetnsAlreadyDeleted_RemovesHostSide()
    {
        using var host = new TestHost();
        var workload = new NetnsScope("calt-w");
        WorkloadInterfaceSpec spec = TestHost.Spec(workload, ipv4: "10.65.5.2");
        try
        {
            await host.SetUpAsync(spec);
        }
        finally
        {
            workload.Dispose();
        }

        await host.TearDownAsync(workload.Path, "eth0", spec.HostIfName);

        Assert.DoesNotContain(spec.HostIfName, TestHost.LinkNames(host.Namespace));
    }

    [Fact]
    public async Task Check_AddressMissing_ReturnsFalse()
    {
        using var host = new TestHost();
        NetnsScope workload = host.NewWorkloadNamespace();
        WorkloadInterfaceSpec spec = TestHost.Spec(workload, ipv4: "10.65.6.1");
        await host.SetUpAsync(spec);

        workload.Ip("addr", "del", "10.65.6.1/32", "dev", "eth0");

        Assert.False(await host.CheckAsync(spec));
        Assert.False(await host.CheckAsync(spec with { IPv4 = [IPNetwork.Parse("10.65.6.2/32")] }));
    }

    [Fact]
    public async Task SetUp_CancelledBeforeStart_Throws()
    {
        using var host = new TestHost();
        NetnsScope workload = host.NewWorkloadNamespace();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        WorkloadInterfaceSpec spec = TestHost.Spec(workload, ipv4: "10.65.7.1");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            NetworkNamespace.RunInAsync(host.Path, () => WorkloadInterfaces.SetUpAsync(spec, cancelled.Token)));
        Assert.DoesNotContain(spec.HostIfName, TestHost.LinkNames(host.Namespace));
    }

    [Theory]
    [InlineData("eth0", "cali0123456789abc")]
    [InlineData("", "cali1")]
    [InlineData("eth/0", "cali1")]
    public async Task SetUp_InvalidNames_ThrowArgumentException(string containerIfName, string hostIfName)
    {
        var spec = new WorkloadInterfaceSpec { NetnsPath = "/var/run/netns/x", ContainerIfName = containerIfName, HostIfName = hostIfName };
        await Assert.ThrowsAnyAsync<ArgumentException>(() => WorkloadInterfaces.SetUpAsync(spec, CancellationToken.None));
    }

    [Fact]
    public async Task SetUpAndTearDown_Latency_IsReported()
    {
        using var host = new TestHost();
        NetnsScope workload = host.NewWorkloadNamespace();
        const int Rounds = 20;
        var setUp = new List<double>();
        var tearDown = new List<double>();
        for (int i = 0; i < Rounds + 2; i++)
        {
            WorkloadInterfaceSpec spec = TestHost.Spec(workload, ipv4: "10.65.8.1", ipv6: "fd00:65::8:1");
            long start = Stopwatch.GetTimestamp();
            await host.SetUpAsync(spec);
            long middle = Stopwatch.GetTimestamp();
            await host.TearDownAsync(workload.Path, "eth0", spec.HostIfName);
            long end = Stopwatch.GetTimestamp();
            if (i >= 2)
            {
                setUp.Add(Stopwatch.GetElapsedTime(start, middle).TotalMilliseconds);
                tearDown.Add(Stopwatch.GetElapsedTime(middle, end).TotalMilliseconds);
            }
        }

        setUp.Sort();
        tearDown.Sort();
        string line = string.Create(CultureInfo.InvariantCulture,
            $"bench workload-interfaces: SetUpAsync p50 {setUp[Rounds / 2]:F2} ms max {setUp[^1]:F2} ms; TearDownAsync p50 {tearDown[Rounds / 2]:F2} ms max {tearDown[^1]:F2} ms ({Rounds} rounds, IPv4+IPv6)");
        output.WriteLine(line);
        Console.WriteLine(line);
        Assert.Equal(["lo"], TestHost.LinkNames(workload));
    }

    /// <summary>A listener created inside <paramref name="server"/>, a client socket inside <paramref name="client"/>.</summary>
    private static async Task AssertConnectsAsync(NetnsScope client, NetnsScope server, IPAddress address)
    {
        using Socket listener = await NetworkNamespace.RunInAsync(server.Path, () =>
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, 0));
            socket.Listen(1);
            return socket;
        });
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using Socket connecting = await NetworkNamespace.RunInAsync(client.Path, () => new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Task<Socket> accept = listener.AcceptAsync(timeout.Token).AsTask();
        await connecting.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        using Socket accepted = await accept;
        await connecting.SendAsync(new byte[] { 42 }, SocketFlags.None, timeout.Token);
        byte[] buffer = new byte[1];
        Assert.Equal(1, await accepted.ReceiveAsync(buffer, SocketFlags.None, timeout.Token));
        Assert.Equal(42, buffer[0]);
    }
}
