using System.Net;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier, the real calico-node with an all-interfaces host endpoint (<c>interfaceName: "*"</c>), upstream's FV
/// "all-interfaces host endpoints" cases over real packets: without policy or profile the host is closed on every
/// interface, <c>lo</c> included, except the failsafe ports; a named host endpoint wins for its interface; the host still
/// reaches its own pod (the egress policy is skipped for local workloads) and forwarded traffic passes until an
/// applyOnForward policy filters it; preDNAT policy on it sees the port before DNAT; all of it survives <c>kill -9</c> and
/// a hand edit.
/// </summary>
[Trait("Tier", "Root")]
public sealed class AllInterfacesHostEndpointKernelTests(AgentHostFixture host) : IClassFixture<AgentHostFixture>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ShortProbe = TimeSpan.FromMilliseconds(700);
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(3);
    private static readonly IPAddress Outside = AgentHostFixture.OutsideAddress;
    private static readonly IPAddress Host = AgentHostFixture.HostAddress;

    [Fact]
    public async Task All_interfaces_host_endpoint_closes_the_host_on_every_interface_and_filters_forwarding_only_with_apply_on_forward()
    {
        Pod pod = await host.AddPodAsync("hall", "10.65.0.40");
        using var ssh = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 22);
        using var app = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 8080);
        using var podWeb = await NetnsSockets.ListenAsync(pod.Netns, IPAddress.Any, 8090);
        using var podAlt = await NetnsSockets.ListenAsync(pod.Netns, IPAddress.Any, 8091);
        using var outsideWeb = await NetnsSockets.ListenAsync(host.OutsideNs, IPAddress.Any, 8070);
        await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, ShortProbe) is not null, Converge, "the pod reachable from outside");
        Assert.NotNull(await NetnsSockets.ProbeAsync(host.HostNs, IPAddress.Loopback, 8080, Probe));

        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: HostEndpoint
            metadata:
              name: host1-all
              labels:
                role: any
            spec:
              node: host1
              interfaceName: "*"
            """);
        try
        {
            // Every interface, lo too (as upstream): only the failsafe ports.
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 8080, ShortProbe) is null, Converge, "tcp 8080 into the host closed");
            Assert.Null(await NetnsSockets.ProbeAsync(host.HostNs, IPAddress.Loopback, 8080, ShortProbe));
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 22, Probe));
            Assert.Null(await NetnsSockets.ProbeAsync(host.HostNs, Outside, 8070, ShortProbe));

            // The host to its own pod: the all-interfaces endpoint's egress policy does not apply to local workloads.
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.HostNs, pod.Address, 8090, Probe));

            // doNotTrack policy is not applied to an all-interfaces endpoint (as upstream), and calico-node says so.
            await host.ApplyAsync("""
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata:
                  name: any-untracked
                spec:
                  selector: role == 'any'
                  doNotTrack: true
                  applyOnForward: true
                  ingress:
                  - action: Deny
                    protocol: TCP
                    destination: {ports: [22]}
                """);
            await host.WaitForAsync(
                () => Task.FromResult(host.AgentOutput.Contains("spec.doNotTrack policies selecting it are ignored", StringComparison.Ordinal)),
                Converge, "the warning that doNotTrack is ignored on the * host endpoint");
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 22, Probe));
            await host.DeleteAsync(Api.ResourceKinds.GlobalNetworkPolicy, null, "any-untracked");

            // Forwarded traffic passes both ways without applyOnForward policy.
            Assert.Equal(Outside.ToString(), await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, Probe));
            Assert.NotNull(await NetnsSockets.ProbeAsync(pod.Netns, Outside, 8070, Probe));

            // A named host endpoint wins for its interface: lo with an allow-all policy opens lo again (and keeps the
            // agent's health port reachable for the restart below).
            await host.ApplyAsync("""
                apiVersion: projectcalico.org/v3
                kind: HostEndpoint
                metadata:
                  name: host1-lo
                  labels:
                    role: loopback
                spec:
                  node: host1
                  interfaceName: lo
                ---
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata:
                  name: loopback-allow
                spec:
                  selector: role == 'loopback'
                  ingress:
                  - action: Allow
                  egress:
                  - action: Allow
                """);
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.HostNs, IPAddress.Loopback, 8080, ShortProbe) is not null, Converge, "lo open under its named host endpoint");
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 8080, ShortProbe));

            await host.ApplyAsync("""
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata:
                  name: any-forward
                spec:
                  selector: role == 'any'
                  applyOnForward: true
                  ingress:
                  - action: Deny
                    protocol: TCP
                    destination:
                      ports: [8091]
                  - action: Allow
                  egress:
                  - action: Allow
                """);
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8091, ShortProbe) is null, Converge, "forwarded tcp 8091 dropped by the applyOnForward policy");
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, Probe));
            Assert.NotNull(await NetnsSockets.ProbeAsync(pod.Netns, Outside, 8070, Probe));

            // The applyOnForward policy is host policy too (as upstream): the host's 8080 opens, 8091 stays shut.
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 8080, Probe));

            // kill -9 and restart: same table, same enforcement.
            host.StopAgent(kill: true);
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8091, ShortProbe));
            await host.StartAgentAsync();
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8091, ShortProbe));
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, Probe));
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 22, Probe));

            // A hand edit of the all-interfaces forward chain is repaired.
            host.DeleteNftRule("cali-fhfw-any-iface-at-all", "End of tier default");
            await host.WaitForAsync(
                () => Task.FromResult(host.Nft("list chain inet calico cali-fhfw-any-iface-at-all").Contains("End of tier default", StringComparison.Ordinal)),
                Converge, "the deleted forward rule restored");
        }
        finally
        {
            await host.DeleteAsync(Api.ResourceKinds.GlobalNetworkPolicy, null, "any-forward");
            await host.DeleteAsync(Api.ResourceKinds.GlobalNetworkPolicy, null, "any-untracked");
            await host.DeleteAsync(Api.ResourceKinds.GlobalNetworkPolicy, null, "loopback-allow");
            await host.DeleteAsync(Api.ResourceKinds.HostEndpoint, null, "host1-lo");
            await host.DeleteAsync(Api.ResourceKinds.HostEndpoint, null, "host1-all");
        }

        await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 8080, ShortProbe) is not null, Converge, "the host open again");
    }

    [Fact]
    public async Task PreDnat_policy_on_the_all_interfaces_host_endpoint_sees_the_original_port()
    {
        Pod pod = await host.AddPodAsync("hapd", "10.65.0.41");
        using var podWeb = await NetnsSockets.ListenAsync(pod.Netns, IPAddress.Any, 8090);
        AgentHostFixture.Sh($"ip netns exec {host.HostNs} nft -f - <<'EOF'\n" +
                            "table ip nat {\n chain prerouting {\n  type nat hook prerouting priority dstnat; policy accept;\n" +
                            $"  iifname \"eth0\" tcp dport {{ 30080, 30082 }} dnat to {pod.Address}:8090\n }}\n}}\nEOF");
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: HostEndpoint
            metadata:
              name: host1-all
              labels:
                role: any
            spec:
              node: host1
              interfaceName: "*"
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: any-prednat
            spec:
              selector: role == 'any'
              preDNAT: true
              applyOnForward: true
              ingress:
              - action: Deny
                protocol: TCP
                source:
                  nets: [198.18.0.2/32]
                destination:
                  ports: [30080]
            """);
        try
        {
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 30080, ShortProbe) is null, Converge, "tcp 30080 refused before DNAT");
            Assert.Equal(Outside.ToString(), await NetnsSockets.ProbeAsync(host.OutsideNs, Host, 30082, Probe));
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, 8090, Probe));
        }
        finally
        {
            await host.DeleteAsync(Api.ResourceKinds.GlobalNetworkPolicy, null, "any-prednat");
            await host.DeleteAsync(Api.ResourceKinds.HostEndpoint, null, "host1-all");
            AgentHostFixture.Sh($"ip netns exec {host.HostNs} nft delete table ip nat");
        }
    }


}
