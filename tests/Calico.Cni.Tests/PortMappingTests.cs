using Calico.Api;

namespace Calico.Cni.Tests;

/// <summary>
/// <c>podman run -p</c> on a calico network (conflist: calico, then the standard portmap plugin), with calico-node
/// enforcing policy in the same host namespace; probed over real TCP from an outside namespace through the host's
/// address (198.19.0.1) and the mapped port.
/// </summary>
[Trait("Tier", "Root")]
public sealed class PortMappingTests(PortMappingFixture fx) : IClassFixture<PortMappingFixture>
{
    private const string Answer = "served-by-container";

    /// <summary>A busybox httpd answering <see cref="Answer"/> on port 80 in the container, published as <paramref name="hostPort"/>.</summary>
    private async Task<string> RunPublishedAsync(int hostPort)
    {
        var name = "pm" + Guid.NewGuid().ToString("N")[..10];
        var run = await fx.Podman.PodmanAsync(
            "run", "-d", "--ulimit", "host", "--name", name, "--network", "calnet", "-p", $"{hostPort}:80", fx.Podman.Image,
            "sh", "-c", $"mkdir -p /www && echo {Answer} > /www/index.html && exec httpd -f -p 80 -h /www");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return name;
    }

    private async Task RemoveAsync(string name)
    {
        var rm = await fx.Podman.PodmanAsync("rm", "-f", "-t", "0", name);
        Assert.True(rm.ExitCode == 0, rm.Stderr);
    }

    private Task WaitReachableAsync(int hostPort) =>
        fx.WaitForAsync(async () => (await fx.ProbeAsync(PortMappingFixture.OutsideAllowed, hostPort))?.Contains(Answer, StringComparison.Ordinal) == true, $"198.19.0.1:{hostPort} answering the outside");

    [Fact]
    public async Task PublishedPort_ReachableFromOutsideThroughHostAddress_RmRemovesMappingAndNatRules()
    {
        if (!Requirements.Podman())
        {
            return;
        }

        Assert.True(fx.Ready);
        Assert.Null(await fx.ProbeAsync(PortMappingFixture.OutsideAllowed, 18080));
        var name = await RunPublishedAsync(18080);
        try
        {
            await WaitReachableAsync(18080);
            Assert.Contains("--dport 18080", await fx.NatRulesAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await RemoveAsync(name);
        }

        Assert.Null(await fx.ProbeAsync(PortMappingFixture.OutsideAllowed, 18080));
        string after = await fx.NatRulesAsync();
        Assert.DoesNotContain("--dport 18080", after, StringComparison.Ordinal);
        Assert.DoesNotContain("-N CNI-DN-", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkloadIngressPolicy_AppliesToTranslatedTraffic_DeniesOneSourceOnContainerPort()
    {
        if (!Requirements.Podman())
        {
            return;
        }

        var name = await RunPublishedAsync(18081);
        try
        {
            await WaitReachableAsync(18081);
            Assert.Contains(Answer, await fx.ProbeAsync(PortMappingFixture.OutsideDenied, 18081) ?? "", StringComparison.Ordinal);

            // Matches the container's port (80), not the host port: workload policy sees the packet after DNAT.
            await fx.ApplyAsync("""
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata:
                  name: deny-one-outside-source
                spec:
                  order: 10
                  selector: has(calnet)
                  types: [Ingress]
                  ingress:
                  - action: Deny
                    protocol: TCP
                    source:
                      nets: [198.19.0.3/32]
                    destination:
                      ports: [80]
                """);
            await fx.WaitForAsync(async () => await fx.ProbeAsync(PortMappingFixture.OutsideDenied, 18081) is null, "198.19.0.3 denied by the workload's ingress policy");
            Assert.Contains(Answer, await fx.ProbeAsync(PortMappingFixture.OutsideAllowed, 18081) ?? "", StringComparison.Ordinal);
        }
        finally
        {
            await fx.DeleteAsync(ResourceKinds.GlobalNetworkPolicy, null, "deny-one-outside-source");
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task PreDnatHostPolicy_SeesHostPort_DeniesOneSourceAllowsAnother()
    {
        if (!Requirements.Podman())
        {
            return;
        }

        var name = await RunPublishedAsync(18082);
        try
        {
            await WaitReachableAsync(18082);

            // preDNAT sees the original destination, the host's port 18082; applyOnForward is required with preDNAT.
            await fx.ApplyAsync("""
                apiVersion: projectcalico.org/v3
                kind: HostEndpoint
                metadata:
                  name: node1-heth0
                  labels:
                    edge: "true"
                spec:
                  node: node1
                  interfaceName: heth0
                  expectedIPs: [198.19.0.1]
                ---
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata:
                  name: mapped-port-from-one-source
                spec:
                  order: 10
                  preDNAT: true
                  applyOnForward: true
                  selector: edge == 'true'
                  types: [Ingress]
                  ingress:
                  - action: Deny
                    protocol: TCP
                    source:
                      nets: [198.19.0.3/32]
                    destination:
                      ports: [18082]
                  - action: Allow
                    protocol: TCP
                    source:
                      nets: [198.19.0.2/32]
                    destination:
                      ports: [18082]
                """);
            await fx.WaitForAsync(async () => await fx.ProbeAsync(PortMappingFixture.OutsideDenied, 18082) is null, "198.19.0.3 denied by the preDNAT host policy");
            Assert.Contains(Answer, await fx.ProbeAsync(PortMappingFixture.OutsideAllowed, 18082) ?? "", StringComparison.Ordinal);
        }
        finally
        {
            await fx.DeleteAsync(ResourceKinds.GlobalNetworkPolicy, null, "mapped-port-from-one-source");
            await fx.DeleteAsync(ResourceKinds.HostEndpoint, null, "node1-heth0");
            await RemoveAsync(name);
        }
    }
}
