using System.Net;
using System.Text.RegularExpressions;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier, the real calico-node with a host endpoint on eth0 (named), upstream's FV cases over real packets from the
/// outside namespace and a local pod: a host endpoint without policy closes the host except the failsafe ports while
/// forwarded traffic to and from pods passes; applyOnForward policy then filters the forwarded traffic; the rules
/// survive <c>kill -9</c> and are repaired after a hand edit. A second case: preDNAT policy sees the port before a DNAT
/// of the host's own <c>table ip nat</c> and its Allow lets a flow past the normal policy; doNotTrack policy lets a flow in
/// without a conntrack entry (IPv4 and IPv6), drops what it denies, and the failsafe port stays open under it; no drift
/// repair loop follows. A third: forwarding between two outside networks through the host endpoint passes until an
/// applyOnForward policy filters it.
/// </summary>
[Trait("Tier", "Root")]
public sealed partial class HostEndpointModesKernelTests(AgentHostFixture host) : IClassFixture<AgentHostFixture>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ShortProbe = TimeSpan.FromMilliseconds(700);
    private static readonly IPAddress Outside = AgentHostFixture.OutsideAddress;
    private static readonly IPAddress Host = AgentHostFixture.HostAddress;

    [Fact]
    public async Task Named_host_endpoint_normal_and_apply_on_forward_policy_survive_kill_9_and_a_hand_edit()
    {
        Pod pod = await host.AddPodAsync("hfw", "10.65.0.20");
        using var ssh = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 22);
        using var app = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 8080);
        using var podWeb = await NetnsSockets.ListenAsync(pod.Netns, IPAddress.Any, 8090);
        using var podAlt = await NetnsSockets.ListenAsync(pod.Netns, IPAddress.Any, 8091);
        using var outsideWeb = await NetnsSockets.ListenAsync(host.OutsideNs, IPAddress.Any, 8070);
        await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, ShortProbe) is not null, Converge, "the pod reachable from outside");

        // A host endpoint with no policy and no profile: only the failsafe ports into and out of the host.
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: HostEndpoint
            metadata:
              name: host1-eth0
              labels:
                role: edge
            spec:
              node: host1
              interfaceName: eth0
              expectedIPs: ["198.18.0.1"]
            """);
        try
        {
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 8080, ShortProbe) is null, Converge, "tcp 8080 into the host closed");
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 22, TimeSpan.FromSeconds(3)));
            Assert.Null(await NetnsSockets.ProbeAsync(host.HostNs, Outside, 8070, ShortProbe));

            // Forwarded traffic is not the host's: without applyOnForward policy it passes both ways.
            Assert.Equal(Outside.ToString(), await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, TimeSpan.FromSeconds(3)));
            Assert.NotNull(await NetnsSockets.ProbeAsync(pod.Netns, Outside, 8070, TimeSpan.FromSeconds(3)));

            await host.ApplyAsync("""
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata:
                  name: edge-forward
                spec:
                  selector: role == 'edge'
                  applyOnForward: true
                  ingress:
                  - action: Allow
                    protocol: TCP
                    destination:
                      ports: [8091]
                  egress:
                  - action: Allow
                """);
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, ShortProbe) is null, Converge, "forwarded tcp 8090 to the pod dropped by the applyOnForward policy");
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8091, TimeSpan.FromSeconds(3)));
            Assert.NotNull(await NetnsSockets.ProbeAsync(pod.Netns, Outside, 8070, TimeSpan.FromSeconds(3)));

            // The policy applies to the host's own traffic too (applyOnForward adds forwarding, as upstream).
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 8080, ShortProbe));
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.HostNs, Outside, 8070, TimeSpan.FromSeconds(3)));

            // kill -9: the table stays as it was, enforcing; the restarted agent keeps it.
            host.StopAgent(kill: true);
            Assert.Contains("End of tier default", host.Nft("list chain inet calico cali-fhfw-eth0"), StringComparison.Ordinal);
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, ShortProbe));
            await host.StartAgentAsync();
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, ShortProbe));
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8091, TimeSpan.FromSeconds(3)));
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 22, TimeSpan.FromSeconds(3)));

            // A hand edit (the forward chain's end-of-tier drop deleted) is repaired.
            host.DeleteNftRule("cali-fhfw-eth0", "End of tier default");
            Assert.DoesNotContain("End of tier default", host.Nft("list chain inet calico cali-fhfw-eth0"), StringComparison.Ordinal);
            await host.WaitForAsync(
                () => Task.FromResult(host.Nft("list chain inet calico cali-fhfw-eth0").Contains("End of tier default", StringComparison.Ordinal)),
                Converge, "the deleted forward rule restored");
            // The agent's output is read on another thread: the log line may trail the kernel change a little.
            await host.WaitForAsync(() => Task.FromResult(Repairs() > 0), TimeSpan.FromSeconds(5), "the repair is logged");
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, ShortProbe));
        }
        finally
        {
            await host.DeleteAsync(Api.ResourceKinds.GlobalNetworkPolicy, null, "edge-forward");
            await host.DeleteAsync(Api.ResourceKinds.HostEndpoint, null, "host1-eth0");
        }

        await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 8080, ShortProbe) is not null, Converge, "the host open again once the host endpoint is gone");
    }

    [Fact]
    public async Task PreDnat_policy_sees_the_original_port_and_doNotTrack_policy_leaves_no_conntrack_entry()
    {
        Pod pod = await host.AddPodAsync("hpd", "10.65.0.30");
        using var podWeb = await NetnsSockets.ListenAsync(pod.Netns, IPAddress.Any, 8090);
        using var ssh = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 22);
        using var app = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 8080);
        using var untracked = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 8082);
        using var denied = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 8083);

        int repairsBefore = Repairs();

        // The host's port mappings, as a runtime's would be: 30080 to the pod, 30081 to the host's own 8080.
        AgentHostFixture.Sh($"ip netns exec {host.HostNs} nft -f - <<'EOF'\n" +
                            "table ip nat {\n chain prerouting {\n  type nat hook prerouting priority dstnat; policy accept;\n" +
                            $"  iifname \"eth0\" tcp dport 30080 dnat to {pod.Address}:8090\n" +
                            $"  iifname \"eth0\" tcp dport 30081 dnat to {Host}:8080\n }}\n}}\nEOF");
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: HostEndpoint
            metadata:
              name: host1-eth0
              labels:
                role: edge
            spec:
              node: host1
              interfaceName: eth0
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: edge-normal
            spec:
              selector: role == 'edge'
              ingress:
              - action: Deny
                protocol: TCP
                destination:
                  ports: [8080]
              - action: Allow
              egress:
              - action: Allow
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: edge-prednat
            spec:
              selector: role == 'edge'
              preDNAT: true
              applyOnForward: true
              ingress:
              - action: Deny
                protocol: TCP
                destination:
                  ports: [30080]
              - action: Allow
                protocol: TCP
                destination:
                  ports: [30081]
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: edge-untracked
            spec:
              selector: role == 'edge'
              doNotTrack: true
              applyOnForward: true
              ingress:
              - action: Allow
                protocol: TCP
                destination:
                  ports: [8082]
              - action: Deny
                protocol: TCP
                destination:
                  ports: [8083]
              - action: Deny
                protocol: TCP
                destination:
                  ports: [22]
              egress:
              - action: Allow
                protocol: TCP
                source:
                  ports: [8082]
            """);
        try
        {
            // preDNAT: the mapped port is refused by its original number, though the pod's own port is open to the outside.
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 30080, ShortProbe) is null, Converge, "tcp 30080 refused before DNAT");
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, ShortProbe) is not null, Converge, "the pod's port reachable directly");

            // preDNAT Allow marks the flow accepted: the normal policy's deny of 8080 does not see it.
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 8080, ShortProbe));
            Assert.Equal(Outside.ToString(), await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 30081, TimeSpan.FromSeconds(3)));

            // doNotTrack: allowed in both directions without a conntrack entry; a tracked flow (ssh) leaves one.
            AgentHostFixture.Sh($"ip netns exec {host.HostNs} conntrack -F 2>/dev/null || true");
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 8082, ShortProbe) is not null, Converge, "untracked tcp 8082 into the host");
            Assert.Equal(0, ConntrackEntries(8082));
            Assert.True(UntrackedAccepted() > 0);

            // IPv6 the same: untracked in, no conntrack entry; the untracked Deny applies.
            AgentHostFixture.Sh($"ip -n {host.HostNs} addr add fd00:18::1/64 dev eth0 nodad && ip -n {host.OutsideNs} addr add fd00:18::2/64 dev out0 nodad");
            using (var untracked6 = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.IPv6Any, 8082))
            using (var denied6 = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.IPv6Any, 8083))
            {
                var host6 = IPAddress.Parse("fd00:18::1");
                await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, host6, 8082, ShortProbe) is not null, Converge, "untracked tcp 8082 into the host over IPv6");
                Assert.Equal(0, ConntrackEntries(8082, "ipv6"));
                Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, host6, 8083, ShortProbe));
            }

            // Its Deny drops what the normal policy would allow; the failsafe port stays open although it denies 22 too.
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 8083, ShortProbe));
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 22, TimeSpan.FromSeconds(3)));
            Assert.True(ConntrackEntries(22) > 0, "the failsafe flow is tracked");

            // The drift check reads every new chain and map (notrack, jump and accept entries) back as what was applied:
            // two refresh intervals without a repair.
            await Task.Delay(TimeSpan.FromSeconds(4.5));
            Assert.Equal(repairsBefore, Repairs());
        }
        finally
        {
            await host.DeleteAsync(Api.ResourceKinds.GlobalNetworkPolicy, null, "edge-untracked");
            await host.DeleteAsync(Api.ResourceKinds.GlobalNetworkPolicy, null, "edge-prednat");
            await host.DeleteAsync(Api.ResourceKinds.GlobalNetworkPolicy, null, "edge-normal");
            await host.DeleteAsync(Api.ResourceKinds.HostEndpoint, null, "host1-eth0");
            AgentHostFixture.Sh($"ip netns exec {host.HostNs} nft delete table ip nat; ip -n {host.HostNs} addr del fd00:18::1/64 dev eth0 2>/dev/null; " +
                                $"ip -n {host.OutsideNs} addr del fd00:18::2/64 dev out0 2>/dev/null; true");
        }
    }

    private int Repairs() => Regex.Count(host.AgentOutput, "Dataplane drift repaired: nftables");

    [Fact]
    public async Task Outside_to_outside_forwarding_through_a_host_endpoint_is_filtered_only_by_apply_on_forward_policy()
    {
        // A second network beyond the host's eth1: 198.19.0.0/24, "far".
        string far = "cnf" + Guid.NewGuid().ToString("N")[..6];
        var farAddress = IPAddress.Parse("198.19.0.2");
        AgentHostFixture.Sh($"ip netns add {far}");
        try
        {
            AgentHostFixture.Sh($"ip -n {far} link set lo up && ip -n {host.HostNs} link add eth1 type veth peer name far0 netns {far} && " +
                                $"ip -n {host.HostNs} addr add 198.19.0.1/24 dev eth1 && ip -n {host.HostNs} link set eth1 up && " +
                                $"ip -n {far} addr add 198.19.0.2/24 dev far0 && ip -n {far} link set far0 up && " +
                                $"ip -n {far} route add default via 198.19.0.1 && ip -n {host.OutsideNs} route replace 198.19.0.0/24 via 198.18.0.1");
            using var farWeb = await NetnsSockets.ListenAsync(far, IPAddress.Any, 8075);
            using var farAlt = await NetnsSockets.ListenAsync(far, IPAddress.Any, 8076);
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, farAddress, 8075, TimeSpan.FromSeconds(3)));

            await host.ApplyAsync("""
                apiVersion: projectcalico.org/v3
                kind: HostEndpoint
                metadata:
                  name: host1-eth0
                  labels:
                    role: edge
                spec:
                  node: host1
                  interfaceName: eth0
                """);
            try
            {
                // The host itself is closed (no policy); forwarding between the outside networks is not the host's traffic.
                await host.WaitForAsync(() => Task.FromResult(host.Nft("list table inet calico").Contains("\"eth0\" : goto cali-fhfw-eth0", StringComparison.Ordinal)), Converge, "the host endpoint in force");
                Assert.Equal(Outside.ToString(), await NetnsSockets.ProbeAsync(host.OutsideNs, farAddress, 8075, TimeSpan.FromSeconds(3)));

                await host.ApplyAsync("""
                    apiVersion: projectcalico.org/v3
                    kind: GlobalNetworkPolicy
                    metadata:
                      name: edge-forward-deny
                    spec:
                      selector: role == 'edge'
                      applyOnForward: true
                      ingress:
                      - action: Deny
                        protocol: TCP
                        destination:
                          ports: [8075]
                      - action: Allow
                      egress:
                      - action: Allow
                    """);
                await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, farAddress, 8075, ShortProbe) is null, Converge, "outside-to-outside tcp 8075 dropped by the applyOnForward policy");
                Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, farAddress, 8076, TimeSpan.FromSeconds(3)));
            }
            finally
            {
                await host.DeleteAsync(Api.ResourceKinds.GlobalNetworkPolicy, null, "edge-forward-deny");
                await host.DeleteAsync(Api.ResourceKinds.HostEndpoint, null, "host1-eth0");
            }
        }
        finally
        {
            AgentHostFixture.Sh($"ip -n {host.OutsideNs} route del 198.19.0.0/24 2>/dev/null || true; ip netns del {far} 2>/dev/null || true");
        }
    }

    /// <summary>Entries of the host namespace's conntrack table for a TCP destination port.</summary>
    private int ConntrackEntries(int port, string family = "ipv4")
    {
        string output = AgentHostFixture.Sh($"ip netns exec {host.HostNs} conntrack -L -f {family} -p tcp --dport {port} 2>/dev/null || true");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("tcp", StringComparison.Ordinal));
    }

    /// <summary>Packets raw-PREROUTING accepted untracked.</summary>
    private long UntrackedAccepted()
    {
        Match m = UntrackedRule().Match(host.Nft("list chain inet calico raw-PREROUTING"));
        Assert.True(m.Success);
        return long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }



    [GeneratedRegex(@"counter packets (\d+) bytes \d+ notrack accept")]
    private static partial Regex UntrackedRule();
}
