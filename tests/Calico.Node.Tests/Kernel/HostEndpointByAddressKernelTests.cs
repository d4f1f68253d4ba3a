using System.Net;
using Calico.Api;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier, the real calico-node: a host endpoint with <c>expectedIPs</c> only binds the interface that holds the
/// address. Its policy denies tcp 8080 and tcp 22 from the outside; 8080 is closed and 22 (a failsafe port) stays
/// open. The address then moves to a new interface (a veth in the host namespace): the dispatch maps follow it (and
/// eth0, no longer governed, lets 8080 through); removed, the endpoint binds nothing; back on eth0, it binds and
/// closes 8080 again.
/// </summary>
[Trait("Tier", "Root")]
public sealed class HostEndpointByAddressKernelTests(AgentHostFixture host) : IClassFixture<AgentHostFixture>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ShortProbe = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_host_endpoint_by_address_follows_its_address_between_interfaces()
    {
        string moved = "hepm" + Guid.NewGuid().ToString("N")[..6];
        using var ssh = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 22);
        using var app = await NetnsSockets.ListenAsync(host.HostNs, IPAddress.Any, 8080);
        Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 8080, TimeSpan.FromSeconds(3)));

        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: HostEndpoint
            metadata:
              name: host1-by-address
              labels:
                role: by-address
            spec:
              node: host1
              expectedIPs: ["198.18.0.1"]
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: deny-app-and-ssh
            spec:
              selector: role == 'by-address'
              types: [Ingress, Egress]
              ingress:
              - action: Deny
                protocol: TCP
                destination:
                  ports: [8080, 22]
              - action: Allow
              egress:
              - action: Allow
            """);
        try
        {
            // Bound first, then probed: on a loaded machine a short probe can time out before the policy exists, so a
            // closed port alone does not prove the binding.
            await host.WaitForAsync(() => Task.FromResult(Table().Contains("\"eth0\"", StringComparison.Ordinal)), Converge, "the endpoint found by address to bind eth0");
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 8080, ShortProbe) is null, Converge, "tcp 8080 closed by the policy of the host endpoint found by address");
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 22, TimeSpan.FromSeconds(3)));

            // The address moves to a new interface; eth0 keeps a route to the outside so probes still arrive there.
            AgentHostFixture.Sh($"ip -n {host.HostNs} link add {moved} type veth peer name {moved}p && ip -n {host.HostNs} link set {moved} up && " +
                                $"ip -n {host.HostNs} addr del 198.18.0.1/24 dev eth0 && ip -n {host.HostNs} addr add 198.18.0.1/32 dev {moved} && " +
                                $"ip -n {host.HostNs} route replace 198.18.0.0/24 dev eth0 && ip -n {host.HostNs} route replace default via 198.18.0.2 dev eth0");
            await host.WaitForAsync(() => Task.FromResult(Table() is var t && t.Contains($"\"{moved}\"", StringComparison.Ordinal) && !t.Contains("\"eth0\"", StringComparison.Ordinal)),
                Converge, $"the dispatch maps to follow the address to {moved}");
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 8080, TimeSpan.FromSeconds(3)));

            // Removed: the endpoint governs no interface.
            AgentHostFixture.Sh($"ip -n {host.HostNs} addr del 198.18.0.1/32 dev {moved}");
            await host.WaitForAsync(() => Task.FromResult(!Table().Contains($"\"{moved}\"", StringComparison.Ordinal)), Converge, "the endpoint to unbind once its address is gone");
            Assert.DoesNotContain("\"eth0\"", Table(), StringComparison.Ordinal);

            // Back on eth0: bound again, 8080 closed again, 22 open.
            RestoreEth0();
            await host.WaitForAsync(() => Task.FromResult(Table().Contains("\"eth0\"", StringComparison.Ordinal)), Converge, "the endpoint to bind eth0 again once the address is back");
            await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 8080, ShortProbe) is null, Converge, "tcp 8080 closed again once the address is back on eth0");
            Assert.NotNull(await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 22, TimeSpan.FromSeconds(3)));
        }
        finally
        {
            AgentHostFixture.Sh($"ip -n {host.HostNs} link del {moved} 2>/dev/null || true");
            RestoreEth0();
            await host.DeleteAsync(ResourceKinds.GlobalNetworkPolicy, null, "deny-app-and-ssh");
            await host.DeleteAsync(ResourceKinds.HostEndpoint, null, "host1-by-address");
        }

        await host.WaitForAsync(async () => await NetnsSockets.ProbeAsync(host.OutsideNs, AgentHostFixture.HostAddress, 8080, ShortProbe) is not null, Converge, "tcp 8080 open again");
        ssh.Stop();
        app.Stop();
    }

    private void RestoreEth0() =>
        AgentHostFixture.Sh($"ip -n {host.HostNs} addr replace 198.18.0.1/24 dev eth0 && ip -n {host.HostNs} route replace default via 198.18.0.2 dev eth0");

    private string Table() => AgentHostFixture.Sh($"ip netns exec {host.HostNs} nft list table inet calico");
}
