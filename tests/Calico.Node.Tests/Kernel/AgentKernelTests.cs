using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Calico.Api;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// The FAQ's promises on a real kernel: workloads cannot reach their own host unless allowed, host endpoints are
/// closed except the failsafe ports, natOutgoing masquerades, drift is repaired, and a SIGKILLed agent neither
/// breaks live flows nor misses a policy applied while it was down. One agent for the class (tests run in order
/// and undo what they change).
/// </summary>
[Trait("Tier", "Root")]
public sealed class AgentKernelTests(AgentHostFixture host) : IClassFixture<AgentHostFixture>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ShortProbe = TimeSpan.FromMilliseconds(700);

    [Fact]
    public async Task Workload_to_its_own_host_is_dropped_by_default_and_allowed_with_DefaultEndpointToHostAction_Accept()
    {
        Pod pod = await host.AddPodAsync("wh", "10.65.0.10");
        using var listener = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 8081);
        await host.WaitForAsync(async () => await RouteExistsAsync(pod), Converge, "the pod's route");
        Assert.Null(await NetnsSockets.ProbeAsync(pod.Netns, AgentHostFixture.HostAddress, 8081, ShortProbe));

        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata:
              name: default
            spec:
              defaultEndpointToHostAction: Accept
            """);
        try
        {
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(pod.Netns, AgentHostFixture.HostAddress, 8081, ShortProbe) is not null, Converge, "workload-to-host allowed");
        }
        finally
        {
            await host.DeleteAsync(ResourceKinds.FelixConfiguration, null, "default");
        }

        await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(pod.Netns, AgentHostFixture.HostAddress, 8081, ShortProbe) is null, Converge, "workload-to-host dropped again");
        listener.Stop();
    }

    [Fact]
    public async Task A_host_endpoint_with_deny_all_closes_the_host_except_failsafe_ports()
    {
        using var ssh = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 22);
        using var bgp = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 179);
        using var app = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 8080);
        Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 8080, ShortProbe));

        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: HostEndpoint
            metadata:
              name: host1-eth0
              labels:
                role: host
            spec:
              node: host1
              interfaceName: eth0
              expectedIPs: ["198.18.0.1"]
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: deny-host
            spec:
              selector: role == 'host'
              types: [Ingress, Egress]
            """);
        try
        {
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 8080, ShortProbe) is null, Converge, "tcp 8080 closed by the host endpoint policy");
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 22, TimeSpan.FromSeconds(3)));
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 179, TimeSpan.FromSeconds(3)));
        }
        finally
        {
            await host.DeleteAsync(ResourceKinds.GlobalNetworkPolicy, null, "deny-host");
            await host.DeleteAsync(ResourceKinds.HostEndpoint, null, "host1-eth0");
        }

        await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 8080, ShortProbe) is not null, Converge, "tcp 8080 open again");
        ssh.Stop();
        bgp.Stop();
        app.Stop();
    }

    [Fact]
    public async Task NatOutgoing_masquerades_to_the_outside_and_without_it_the_pod_address_is_seen()
    {
        Pod pod = await host.AddPodAsync("nat", "10.65.0.20");
        using var outside = await NetnsSockets.ListenAsync(host.OutsideNs, IPAddress.Any, 8090);
        string? seen = null;
        await host.WaitForAsync(async () => (seen = await NetnsSockets.ProbeAsync(pod.Netns, AgentHostFixture.OutsideAddress, 8090, ShortProbe)) == "198.18.0.1", Converge, "the outside to see the host's address (last seen: " + seen + ")");

        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: lab
            spec:
              cidr: 10.65.0.0/16
              blockSize: 26
              natOutgoing: false
            """);
        try
        {
            await host.WaitForAsync(async () => (seen = await NetnsSockets.ProbeAsync(pod.Netns, AgentHostFixture.OutsideAddress, 8090, ShortProbe)) == "10.65.0.20", Converge, "the outside to see the pod's own address (last seen: " + seen + ")");
        }
        finally
        {
            await host.ApplyAsync("""
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata:
                  name: lab
                spec:
                  cidr: 10.65.0.0/16
                  blockSize: 26
                  natOutgoing: true
                """);
        }

        outside.Stop();
    }

    [Fact]
    public async Task A_rule_or_route_deleted_by_hand_comes_back()
    {
        Pod pod = await host.AddPodAsync("drift", "10.65.0.30");
        await host.WaitForAsync(async () => await RouteExistsAsync(pod) && ForwardRuleCount() > 0, Converge, "the pod's route and the forward chain");
        int rules = ForwardRuleCount();

        AgentHostFixture.Sh($"ip netns exec {host.HostNs} nft flush chain inet calico filter-FORWARD");
        AgentHostFixture.Sh($"ip -n {host.HostNs} route del 10.65.0.30/32");

        // Both commands succeeded (Sh throws otherwise); no check that they are gone now: the agent may already have
        // put them back (a route deletion is an event it acts on at once), which is what the waits below look for.

        await host.WaitForAsync(() => Task.FromResult(ForwardRuleCount() == rules), Converge, "filter-FORWARD's rules to come back");
        await host.WaitForAsync(async () => await RouteExistsAsync(pod), Converge, "the route to come back");
    }

    [Fact]
    public async Task A_flow_survives_kill_9_and_restart_and_a_policy_applied_while_down_is_enforced_after()
    {
        string iperf = TestKit.Prerequisites.Require("iperf3");
        Pod server = await host.AddPodAsync("srv", "10.65.0.40", ("app", "server"));
        Pod client = await host.AddPodAsync("cli", "10.65.0.41", ("app", "client"));
        using var extra = await NetnsSockets.ListenAsync(server.Netns, IPAddress.Any, 8100);
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata:
              name: server-ingress
              namespace: ns1
            spec:
              selector: app == 'server'
              types: [Ingress]
              ingress:
              - action: Allow
                protocol: TCP
                source:
                  selector: app == 'client'
                destination:
                  ports: [5201, 8100]
            """);
        await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(client.Netns, server.Address, 8100, ShortProbe) is not null, Converge, "client to reach server:8100");

        using var iperfServer = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", server.Netns, iperf, "-s", "-1", "-p", "5201"]) { RedirectStandardOutput = true })!;
        await Task.Delay(300);
        using var iperfClient = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", client.Netns, iperf, "-c", server.Address.ToString(), "-t", "8", "-i", "1", "-J"]) { RedirectStandardOutput = true })!;
        Task<string> clientOutput = iperfClient.StandardOutput.ReadToEndAsync();
        try
        {
            await Task.Delay(1500);
            host.StopAgent(kill: true);

            // While the agent is down: the ruleset stays in force, and a policy change waits in the datastore.
            Assert.Equal(1, NftTableCount());
            await host.ApplyAsync("""
                apiVersion: projectcalico.org/v3
                kind: NetworkPolicy
                metadata:
                  name: server-ingress
                  namespace: ns1
                spec:
                  selector: app == 'server'
                  types: [Ingress]
                  ingress:
                  - action: Allow
                    protocol: TCP
                    source:
                      selector: app == 'client'
                    destination:
                      ports: [5201]
                """);
            await Task.Delay(1500);
            await host.StartAgentAsync();

            Assert.True(iperfClient.WaitForExit(20_000), "iperf3 client did not finish");
            string json = await clientOutput;
            Assert.True(iperfClient.ExitCode == 0, "iperf3 failed: " + json);
            using JsonDocument doc = JsonDocument.Parse(json);
            var intervals = doc.RootElement.GetProperty("intervals").EnumerateArray().Select(i => i.GetProperty("sum").GetProperty("bytes").GetInt64()).ToList();
            Assert.True(intervals.Count >= 7, "intervals: " + intervals.Count);
            Assert.All(intervals, bytes => Assert.True(bytes > 0, "an interval carried nothing: " + string.Join(",", intervals)));

            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(client.Netns, server.Address, 8100, ShortProbe) is null, Converge, "the policy applied while the agent was down to close port 8100");
        }
        finally
        {
            if (!iperfClient.HasExited)
            {
                iperfClient.Kill(true);
            }

            if (!iperfServer.HasExited)
            {
                iperfServer.Kill(true);
            }

            await host.DeleteAsync(ResourceKinds.NetworkPolicy, "ns1", "server-ingress");
            extra.Stop();
        }
    }

    [Fact]
    public async Task A_label_moving_a_pod_in_and_out_of_a_selector_set_is_enforced_both_ways()
    {
        Pod server = await host.AddPodAsync("lsrv", "10.65.0.50", ("app", "lserver"));
        Pod client = await host.AddPodAsync("lcli", "10.65.0.51", ("app", "lclient"));
        using var listener = await NetnsSockets.ListenAsync(server.Netns, IPAddress.Any, 8200);
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata:
              name: trusted-only
              namespace: ns1
            spec:
              selector: app == 'lserver'
              types: [Ingress]
              ingress:
              - action: Allow
                protocol: TCP
                source:
                  selector: role == 'trusted'
            """);
        try
        {
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(client.Netns, server.Address, 8200, ShortProbe) is null, Converge, "the untrusted client to be refused");

            // Only the set's membership changes: the agent sends it as set elements (netlink), not as a new ruleset.
            await SetLabelAsync("lcli", "role", "trusted");
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(client.Netns, server.Address, 8200, ShortProbe) is not null, Converge, "the trusted client to be allowed");
            await SetLabelAsync("lcli", "role", null);
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(client.Netns, server.Address, 8200, ShortProbe) is null, Converge, "the client to be refused again");

        }
        finally
        {
            await host.DeleteAsync(ResourceKinds.NetworkPolicy, "ns1", "trusted-only");
            listener.Stop();
        }
    }

    private async Task SetLabelAsync(string pod, string key, string? value)
    {
        var wep = (WorkloadEndpoint)(await host.Client.GetAsync(ResourceKinds.WorkloadEndpoint, "ns1", $"host1-k8s-{pod}-eth0", CancellationToken.None))!;
        wep.Metadata.Labels ??= [];
        if (value is null)
        {
            wep.Metadata.Labels.Remove(key);
        }
        else
        {
            wep.Metadata.Labels[key] = value;
        }

        var updated = await host.Client.UpdateAsync(wep, CancellationToken.None);
        Assert.True(updated.Succeeded, updated.Message);
    }

    private int ForwardRuleCount()
    {
        string json = AgentHostFixture.Sh($"ip netns exec {host.HostNs} nft -j list chain inet calico filter-FORWARD");
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("nftables").EnumerateArray().Count(e => e.TryGetProperty("rule", out _));
    }

    private int NftTableCount() =>
        AgentHostFixture.Sh($"ip netns exec {host.HostNs} nft list tables").Split('\n').Count(l => l.Trim() == "table inet calico");

    private async Task<bool> RouteExistsAsync(Pod pod)
    {
        await Task.CompletedTask;
        return AgentHostFixture.Sh($"ip -n {host.HostNs} route show {pod.Address}/32").Contains(pod.HostInterface, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ipip_pool_on_this_kernel_is_reported_on_readiness_metrics_and_log_until_removed()
    {
        const string Expected = "IPPool ipip1 ipipMode=Always needs IP-in-IP tunnels (ipip), which this kernel lacks: CONFIG_NET_IPIP is not set in /proc/config.gz";
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: ipip1
            spec:
              cidr: 10.67.0.0/16
              ipipMode: Always
            """);
        try
        {
            await host.WaitForAsync(async () => await NetnsSockets.HttpGetAsync(host.HostNs, 9099, "/readiness") is { Status: 503 } r && r.Body.Contains(Expected, StringComparison.Ordinal),
                Converge, "readiness naming the ipip pool");
            var metrics = await NetnsSockets.HttpGetAsync(host.HostNs, 9091, "/metrics");
            Assert.Contains("felix_kernel_feature_missing{feature=\"ipip\",setting=\"IPPool ipip1 ipipMode=Always\"} 1", metrics!.Value.Body, StringComparison.Ordinal);
            Assert.Contains("[WARNING]", host.AgentOutput, StringComparison.Ordinal);
            Assert.Contains("Kernel support missing: " + Expected, host.AgentOutput, StringComparison.Ordinal);

            // Routing goes on: the tunnel address is allocated from the pool (IPAM handle as upstream), tunl0 is tried
            // once and said to be missing (once), and the routing loop reports no failure of its own.
            await host.WaitForAsync(
                async () => (await host.Client.GetAsync(ResourceKinds.Node, null, "host1", CancellationToken.None) as Api.Node)?.Spec.Bgp?.Ipv4IPIPTunnelAddr?.StartsWith("10.67.", StringComparison.Ordinal) == true,
                Converge, "the IP-in-IP tunnel address in Node(host1)");
            await host.WaitForAsync(
                () => Task.FromResult(host.AgentOutput.Contains("IP-in-IP device tunl0 not programmed: this kernel has no ipip", StringComparison.Ordinal)),
                Converge, "the log line saying tunl0 is not programmed");
            var readiness = await NetnsSockets.HttpGetAsync(host.HostNs, 9099, "/readiness");
            Assert.DoesNotContain("RTM_NEWLINK", readiness!.Value.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("retrying: IP-in-IP", host.AgentOutput, StringComparison.Ordinal);
            Assert.Single(host.AgentOutput.Split('\n'), l => l.Contains("IP-in-IP device tunl0 not programmed", StringComparison.Ordinal));
        }
        finally
        {
            await host.DeleteAsync(ResourceKinds.IPPool, null, "ipip1");
        }

        await host.WaitForAsync(async () => (await NetnsSockets.HttpGetAsync(host.HostNs, 9099, "/readiness"))?.Status == 200, Converge, "readiness once the ipip pool is gone");
    }

    [Fact]
    public async Task A_refused_setting_written_without_calicoctl_is_reported_while_the_rest_stays_enforced()
    {
        Pod server = await host.AddPodAsync("rsrv", "10.65.0.60", ("app", "rserver"));
        Pod client = await host.AddPodAsync("rcli", "10.65.0.61", ("app", "rclient"));
        using var listener = await NetnsSockets.ListenAsync(server.Netns, IPAddress.Any, 8300);
        // The client library writes what calicoctl would refuse (as etcdctl or an older tool could).
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata:
              name: node.host1
            spec:
              wireguardEnabled: true
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata:
              name: rserver-from-nobody
              namespace: ns1
            spec:
              selector: app == 'rserver'
              types: [Ingress]
              ingress:
              - action: Allow
                source:
                  selector: app == 'nobody'
            """);
        try
        {
            await host.WaitForAsync(async () => await NetnsSockets.HttpGetAsync(host.HostNs, 9099, "/readiness") is { Status: 503 } r
                    && r.Body.Contains("not enforced: FelixConfiguration", StringComparison.Ordinal)
                    && r.Body.Contains("node.host1", StringComparison.Ordinal) && r.Body.Contains("sets wireguardEnabled", StringComparison.Ordinal),
                Converge, "readiness naming the WireGuard setting");
            var metrics = await NetnsSockets.HttpGetAsync(host.HostNs, 9091, "/metrics");
            Assert.Contains("felix_unsupported_settings{kind=\"FelixConfiguration\",name=\"node.host1\",field=\"spec.wireguardEnabled\"} 1", metrics!.Value.Body, StringComparison.Ordinal);
            Assert.Contains("Not enforced: FelixConfiguration \"node.host1\" sets spec.wireguardEnabled", host.AgentOutput, StringComparison.Ordinal);

            // The policy that can be enforced still is, over real packets.
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(client.Netns, server.Address, 8300, ShortProbe) is null, Converge, "the client to be refused by the enforceable policy");
        }
        finally
        {
            await host.DeleteAsync(ResourceKinds.FelixConfiguration, null, "node.host1");
            await host.DeleteAsync(ResourceKinds.NetworkPolicy, "ns1", "rserver-from-nobody");
            listener.Stop();
        }

        await host.WaitForAsync(async () => (await NetnsSockets.HttpGetAsync(host.HostNs, 9099, "/readiness"))?.Status == 200, Converge, "readiness once the setting is gone");
    }
}
