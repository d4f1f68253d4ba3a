using System.Text.Json;
using Calico.Api;

namespace Calico.Cni.Tests;

/// <summary>
/// Root tier: the plugin binary adds a container with args.cni.floatingIPs and allowedSourcePrefixes; the
/// WorkloadEndpoint carries ipNATs (paired with the assigned address) and allowSpoofedSourcePrefixes. A floating IP the
/// workload has no address for, or one without feature_control.floating_ips, fails the ADD and leaves nothing behind.
/// </summary>
[Trait("Tier", "Root")]
public sealed class FloatingIpCniKernelTests(KernelFixture fx) : IClassFixture<KernelFixture>
{
    private const string Feature = ""","feature_control":{"floating_ips":true}""";

    private static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Add_WithFloatingIpsAndAllowedSourcePrefixes_WritesThemOnTheEndpoint()
    {
        if (!Requirements.Root())
        {
            return;
        }

        var id = NewId();
        var ns = await fx.AddNamespaceAsync("cnif" + id[..8]);
        try
        {
            var conf = fx.Conf(extra: Feature + ""","args":{"cni":{"floatingIPs":["203.0.113.7"],"allowedSourcePrefixes":["10.77.9.9/24"]}}""");
            var add = await fx.ExecAsync("calico", "ADD", id, "/var/run/netns/" + ns, conf);
            Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
            var address = JsonDocument.Parse(add.Stdout).RootElement.GetProperty("ips")[0].GetProperty("address").GetString()!.Split('/')[0];

            await fx.WithClientsAsync(async (client, _) =>
            {
                var wep = (WorkloadEndpoint?)await client.GetAsync(ResourceKinds.WorkloadEndpoint, "default", $"node1-cni-{id}-eth0", CancellationToken.None);
                Assert.NotNull(wep);
                IPNAT nat = Assert.Single(wep.Spec.IpNATs!);
                Assert.Equal((address, "203.0.113.7"), (nat.InternalIP, nat.ExternalIP));
                Assert.Equal(["10.77.9.0/24"], wep.Spec.AllowSpoofedSourcePrefixes);
            });

            var del = await fx.ExecAsync("calico", "DEL", id, "/var/run/netns/" + ns, conf);
            Assert.True(del.ExitCode == 0, del.Stdout + del.Stderr);
        }
        finally
        {
            await fx.DeleteNamespaceAsync(ns);
        }
    }

    [Theory]
    [InlineData(Feature, "2001:db8::7", "no IPv6 address")]
    [InlineData("", "203.0.113.7", "feature_control.floating_ips")]
    public async Task Add_WithAnUnusableFloatingIp_FailsWithError7_AndLeavesNothing(string feature, string floatingIp, string message)
    {
        if (!Requirements.Root())
        {
            return;
        }

        var id = NewId();
        var ns = await fx.AddNamespaceAsync("cnig" + id[..8]);
        try
        {
            var conf = fx.Conf(extra: feature + ",\"args\":{\"cni\":{\"floatingIPs\":[\"" + floatingIp + "\"]}}");
            var add = await fx.ExecAsync("calico", "ADD", id, "/var/run/netns/" + ns, conf);
            Assert.NotEqual(0, add.ExitCode);
            var error = JsonDocument.Parse(add.Stdout).RootElement;
            Assert.Equal(7, error.GetProperty("code").GetInt32());
            Assert.Contains(message, error.GetProperty("msg").GetString(), StringComparison.Ordinal);

            await fx.WithClientsAsync(async (client, ipam) =>
            {
                Assert.Null(await client.GetAsync(ResourceKinds.WorkloadEndpoint, "default", $"node1-cni-{id}-eth0", CancellationToken.None));
                Assert.Empty(await ipam.IpsByHandleAsync("calnet." + id, CancellationToken.None));
            });
            Assert.DoesNotContain("cali" + id[..11], await Shell.ShAsync($"ip -n {fx.HostNs} link"), StringComparison.Ordinal);
        }
        finally
        {
            await fx.DeleteNamespaceAsync(ns);
        }
    }
}
