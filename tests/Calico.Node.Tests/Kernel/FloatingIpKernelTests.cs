using System.Net;
using System.Net.Sockets;
using Calico.Api;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier, the real calico-node: a pod with a floating IP (WorkloadEndpoint ipNATs 10.65.0.70 &lt;-&gt; 203.0.113.7,
/// the outside namespace routing 203.0.113.7 to the host). With FelixConfiguration floatingIPs Enabled the outside
/// reaches the pod on the external address (the TCP handshake completes, so the replies came from 203.0.113.7: one from
/// the pod's own address would be reset), the pod sees the client's real address, the host's own connections are
/// translated too, and the pod reaching itself through its floating IP sees the floating IP as source. As upstream,
/// the pod's own connections are not rewritten to the floating IP (they leave by the pool's NAT outgoing). Disabled
/// (the default, and again after): the external address does not answer and is not routed to the pod.
/// </summary>
[Trait("Tier", "Root")]
public sealed class FloatingIpKernelTests(AgentHostFixture host) : IClassFixture<AgentHostFixture>
{
    private const int Port = 9400;
    private static readonly IPAddress External = IPAddress.Parse("203.0.113.7");
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Floating_ip_reaches_the_pod_only_while_floatingIPs_is_Enabled()
    {
        AgentHostFixture.Sh($"ip -n {host.OutsideNs} route replace {External}/32 via {AgentHostFixture.HostAddress}");
        Pod pod = await host.AddPodAsync("fip", "10.65.0.70");
        var wep = (WorkloadEndpoint)(await host.Client.GetAsync(ResourceKinds.WorkloadEndpoint, "ns1", "host1-k8s-fip-eth0", CancellationToken.None))!;
        wep.Spec.IpNATs = [new IPNAT { InternalIP = "10.65.0.70", ExternalIP = External.ToString() }];
        Assert.True((await host.Client.UpdateAsync(wep, CancellationToken.None)).Succeeded);

        using TcpListener inPod = await NetnsSockets.ListenAsync(pod.Netns, IPAddress.Any, Port);
        using TcpListener outside = await NetnsSockets.ListenAsync(host.OutsideNs, AgentHostFixture.OutsideAddress, Port);
        try
        {
            // The pod itself answers on its own address from the outside: the path works, only the floating IP is off.
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, Port, Probe) is not null, Converge, "the pod on its own address");
            await host.WaitForAsync(() => Task.FromResult(host.AgentOutput.Contains("spec.ipNATs ignored", StringComparison.Ordinal)), Converge, "the warning naming spec.ipNATs");
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, External, Port, Probe));
            Assert.DoesNotContain(External.ToString(), Routes(), StringComparison.Ordinal);

            await SetFloatingIpsAsync(enabled: true);
            string? seen = null;
            await host.WaitForAsync(async () => (seen = await NetnsSockets.ProbeAsync(host.OutsideNs, External, Port, Probe)) is not null, Converge, "the pod on its floating IP from the outside");
            Assert.Equal(AgentHostFixture.OutsideAddress.ToString(), seen!.Trim());
            Assert.Contains($"{External} dev {pod.HostInterface}", Routes(), StringComparison.Ordinal);

            // The host's own traffic to the floating IP (nat output hook).
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.HostNs, External, Port, Converge));

            // The pod reaching itself through its floating IP sees the floating IP as source (upstream's fip-snat).
            Assert.Equal(External.ToString(), (await NetnsSockets.ProbeAsync(pod.Netns, External, Port, Converge))?.Trim());

            // The pod's own connection out: not rewritten to the floating IP (upstream), masqueraded by the pool's natOutgoing.
            Assert.Equal(AgentHostFixture.HostAddress.ToString(), (await NetnsSockets.ProbeAsync(pod.Netns, AgentHostFixture.OutsideAddress, Port, Converge))?.Trim());

            // kill -9: the table and the route stay, the floating IP still answers; the restarted agent keeps both.
            host.StopAgent(kill: true);
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, External, Port, Converge));
            await host.StartAgentAsync();
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, External, Port, Converge));

            // A hand edit (the DNAT rule deleted) is repaired within the refresh interval.
            host.DeleteNftRule("nat-fip-PREROUTING", "floating IP " + External);
            Assert.DoesNotContain("floating IP " + External, host.Nft("list chain inet calico nat-fip-PREROUTING"), StringComparison.Ordinal);
            await host.WaitForAsync(
                () => Task.FromResult(host.Nft("list chain inet calico nat-fip-PREROUTING").Contains("floating IP " + External, StringComparison.Ordinal)),
                Converge, "the deleted DNAT rule restored");
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, External, Port, Converge));

            await SetFloatingIpsAsync(enabled: false);
            await host.WaitForAsync(() => Task.FromResult(!Routes().Contains(External.ToString(), StringComparison.Ordinal)), Converge, "the floating IP's route to go");
            Assert.Null(await NetnsSockets.ProbeAsync(host.OutsideNs, External, Port, Probe));
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, pod.Address, Port, Converge));
        }
        finally
        {
            inPod.Stop();
            outside.Stop();
            await host.DeleteAsync(ResourceKinds.FelixConfiguration, null, "node.host1");
        }
    }

    private Task SetFloatingIpsAsync(bool enabled) => host.ApplyAsync($"""
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata:
          name: node.host1
        spec:
          floatingIPs: {(enabled ? "Enabled" : "Disabled")}
        """);



    private string Routes() => AgentHostFixture.Sh($"ip -n {host.HostNs} route show");
}
