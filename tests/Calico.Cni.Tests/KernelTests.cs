using System.Net;
using System.Text.Json;
using Calico.Api;

namespace Calico.Cni.Tests;

/// <summary>Root tier: the plugin binary exec'd in a host namespace against an embedded store.</summary>
[Trait("Tier", "Root")]
public sealed class KernelTests(KernelFixture fx) : IClassFixture<KernelFixture>
{
    private static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task AddDel_ContainerGetsAddressAndRoutes_DelCleansUp()
    {
        if (!Requirements.Root())
        {
            return;
        }

        var id = NewId();
        var ns = await fx.AddNamespaceAsync("cnic" + id[..8]);
        try
        {
            var add = await fx.ExecAsync("calico", "ADD", id, "/var/run/netns/" + ns, fx.Conf(extra: ""","args":{"cni":{"labels":[{"key":"app","value":"web"}],"ports":[{"name":"http","protocol":"TCP","port":8080}]}}"""));
            Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
            var result = JsonDocument.Parse(add.Stdout).RootElement;
            var address = result.GetProperty("ips")[0].GetProperty("address").GetString()!;
            Assert.EndsWith("/32", address, StringComparison.Ordinal);
            Assert.True(IPNetwork.Parse("10.77.0.0/24").Contains(IPNetwork.Parse(address).BaseAddress));

            var addr = await Shell.ShAsync($"ip -n {ns} -j addr show dev eth0");
            Assert.Contains(address.Split('/')[0], addr, StringComparison.Ordinal);
            var routes = await Shell.ShAsync($"ip -n {ns} route");
            Assert.Contains("default via 169.254.1.1 dev eth0", routes, StringComparison.Ordinal);
            Assert.Contains("169.254.1.1 dev eth0 scope link", routes, StringComparison.Ordinal);
            var hostIf = "cali" + id[..11];
            var hostLink = await Shell.ShAsync($"ip -n {fx.HostNs} -j link show dev {hostIf}");
            Assert.Contains("ee:ee:ee:ee:ee:ee", hostLink, StringComparison.Ordinal);
            var hostRoutes = await Shell.ShAsync($"ip -n {fx.HostNs} route");
            Assert.Contains($"{address.Split('/')[0]} dev {hostIf}", hostRoutes, StringComparison.Ordinal);

            await fx.WithClientsAsync(async (client, ipam) =>
            {
                var wep = (WorkloadEndpoint?)await client.GetAsync(ResourceKinds.WorkloadEndpoint, "default", $"node1-cni-{id}-eth0", CancellationToken.None);
                Assert.NotNull(wep);
                Assert.Equal(hostIf, wep.Spec.InterfaceName);
                Assert.Equal([address], wep.Spec.IpNetworks);
                Assert.Equal("web", wep.Metadata.Labels!["app"]);
                Assert.Equal("http", Assert.Single(wep.Spec.Ports!).Name);
                Assert.Equal(["calnet"], wep.Spec.Profiles);
                var profile = (Profile?)await client.GetAsync(ResourceKinds.Profile, null, "calnet", CancellationToken.None);
                Assert.Equal("has(calnet)", profile!.Spec.Ingress![0].Source.Selector);
                Assert.Single(await ipam.IpsByHandleAsync("calnet." + id, CancellationToken.None));
            });

            // Repeated ADD: same attachment, same address.
            var again = await fx.ExecAsync("calico", "ADD", id, "/var/run/netns/" + ns, fx.Conf());
            Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
            Assert.Equal(address, JsonDocument.Parse(again.Stdout).RootElement.GetProperty("ips")[0].GetProperty("address").GetString());

            var check = await fx.ExecAsync("calico", "CHECK", id, "/var/run/netns/" + ns, fx.Conf());
            Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);

            var del = await fx.ExecAsync("calico", "DEL", id, "/var/run/netns/" + ns, fx.Conf());
            Assert.True(del.ExitCode == 0, del.Stdout + del.Stderr);
            Assert.Empty(del.Stdout);
            Assert.DoesNotContain("eth0", await Shell.ShAsync($"ip -n {ns} link"), StringComparison.Ordinal);
            Assert.DoesNotContain(hostIf, await Shell.ShAsync($"ip -n {fx.HostNs} link"), StringComparison.Ordinal);
            await AssertNothingLeftAsync(id);

            // DEL again (and with the netns gone) still succeeds.
            await fx.DeleteNamespaceAsync(ns);
            var del2 = await fx.ExecAsync("calico", "DEL", id, "/var/run/netns/" + ns, fx.Conf());
            Assert.True(del2.ExitCode == 0, del2.Stdout + del2.Stderr);
        }
        finally
        {
            await fx.DeleteNamespaceAsync(ns);
        }
    }

    [Fact]
    public async Task Add_FailsAfterInterfaces_LeavesNothing()
    {
        if (!Requirements.Root())
        {
            return;
        }

        var id = NewId();
        var ns = await fx.AddNamespaceAsync("cnic" + id[..8]);
        try
        {
            // An invalid label key is only refused when the endpoint is written: after addresses and veth exist.
            var add = await fx.ExecAsync("calico", "ADD", id, "/var/run/netns/" + ns, fx.Conf(extra: ""","args":{"cni":{"labels":[{"key":"bad key!","value":"x"}]}}"""));
            Assert.NotEqual(0, add.ExitCode);
            Assert.Equal(7, JsonDocument.Parse(add.Stdout).RootElement.GetProperty("code").GetInt32());
            Assert.DoesNotContain("eth0", await Shell.ShAsync($"ip -n {ns} link"), StringComparison.Ordinal);
            Assert.DoesNotContain("cali" + id[..11], await Shell.ShAsync($"ip -n {fx.HostNs} link"), StringComparison.Ordinal);
            await AssertNothingLeftAsync(id);
        }
        finally
        {
            await fx.DeleteNamespaceAsync(ns);
        }
    }

    [Fact]
    public async Task Add_MissingNetns_LeavesNothing()
    {
        if (!Requirements.Root())
        {
            return;
        }

        var id = NewId();
        var add = await fx.ExecAsync("calico", "ADD", id, "/var/run/netns/does-not-exist-" + id[..6], fx.Conf());
        Assert.NotEqual(0, add.ExitCode);
        Assert.DoesNotContain("cali" + id[..11], await Shell.ShAsync($"ip -n {fx.HostNs} link"), StringComparison.Ordinal);
        await AssertNothingLeftAsync(id);
    }

    [Fact]
    public async Task Del_StaleContainerId_KeepsEndpointReleasesHandle()
    {
        if (!Requirements.Root())
        {
            return;
        }

        var oldId = NewId();
        var newId = NewId();
        var ns = await fx.AddNamespaceAsync("cnic" + newId[..8]);
        const string Pod = "IgnoreUnknown=1;K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web-0";
        try
        {
            // The old sandbox's addresses exist (calico-ipam ADD), the new sandbox owns the endpoint.
            var oldAdd = await fx.ExecAsync("calico-ipam", "ADD", oldId, "/var/run/netns/" + ns, fx.Conf(), Pod);
            Assert.True(oldAdd.ExitCode == 0, oldAdd.Stdout + oldAdd.Stderr);
            var add = await fx.ExecAsync("calico", "ADD", newId, "/var/run/netns/" + ns, fx.Conf(), Pod);
            Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);

            var del = await fx.ExecAsync("calico", "DEL", oldId, null, fx.Conf(), Pod);
            Assert.True(del.ExitCode == 0, del.Stdout + del.Stderr);
            await fx.WithClientsAsync(async (client, ipam) =>
            {
                var wep = (WorkloadEndpoint?)await client.GetAsync(ResourceKinds.WorkloadEndpoint, "prod", "node1-k8s-web--0-eth0", CancellationToken.None);
                Assert.Equal(newId, wep!.Spec.ContainerID);
                Assert.Equal(["kns.prod"], wep.Spec.Profiles);
                Assert.Empty(await ipam.IpsByHandleAsync("calnet." + oldId, CancellationToken.None));
                Assert.Single(await ipam.IpsByHandleAsync("calnet." + newId, CancellationToken.None));
            });
            Assert.True((await fx.ExecAsync("calico", "DEL", newId, "/var/run/netns/" + ns, fx.Conf(), Pod)).ExitCode == 0);
        }
        finally
        {
            await fx.DeleteNamespaceAsync(ns);
        }
    }

    [Fact]
    public async Task Ipam_SpecificAddressViaCniArgs_AndGcReleasesUnlisted()
    {
        if (!Requirements.Root())
        {
            return;
        }

        var keep = NewId();
        var drop = NewId();
        var add1 = await fx.ExecAsync("calico-ipam", "ADD", keep, "/var/run/netns/x", fx.Conf(network: "gcnet"), "IP=10.77.0.200");
        Assert.True(add1.ExitCode == 0, add1.Stdout + add1.Stderr);
        Assert.Equal("10.77.0.200/32", JsonDocument.Parse(add1.Stdout).RootElement.GetProperty("ips")[0].GetProperty("address").GetString());
        var add2 = await fx.ExecAsync("calico-ipam", "ADD", drop, "/var/run/netns/x", fx.Conf(network: "gcnet"));
        Assert.True(add2.ExitCode == 0, add2.Stdout + add2.Stderr);

        var gcConf = fx.Conf(network: "gcnet", extra: $$""","cni.dev/valid-attachments":[{"containerID":"{{keep}}","ifname":"eth0"}]""").Replace("\"1.0.0\"", "\"1.1.0\"", StringComparison.Ordinal);
        var gc = await fx.ExecAsync("calico-ipam", "GC", "unused", null, gcConf);
        Assert.True(gc.ExitCode == 0, gc.Stdout + gc.Stderr);
        await fx.WithClientsAsync(async (_, ipam) =>
        {
            Assert.Equal([IPAddress.Parse("10.77.0.200")], await ipam.IpsByHandleAsync("gcnet." + keep, CancellationToken.None));
            Assert.Empty(await ipam.IpsByHandleAsync("gcnet." + drop, CancellationToken.None));
        });
        Assert.True((await fx.ExecAsync("calico-ipam", "DEL", keep, null, fx.Conf(network: "gcnet"))).ExitCode == 0);
        await fx.WithClientsAsync(async (_, ipam) => Assert.Empty(await ipam.IpsByHandleAsync("gcnet." + keep, CancellationToken.None)));
    }

    [Fact]
    public async Task Status_InitialisedStore_Ok()
    {
        if (!Requirements.Root())
        {
            return;
        }

        var status = await fx.ExecAsync("calico", "STATUS", "x", null, fx.Conf().Replace("\"1.0.0\"", "\"1.1.0\"", StringComparison.Ordinal));
        Assert.True(status.ExitCode == 0, status.Stdout + status.Stderr);
    }

    private async Task AssertNothingLeftAsync(string id) =>
        await fx.WithClientsAsync(async (client, ipam) =>
        {
            Assert.Null(await client.GetAsync(ResourceKinds.WorkloadEndpoint, "default", $"node1-cni-{id}-eth0", CancellationToken.None));
            Assert.Empty(await ipam.IpsByHandleAsync("calnet." + id, CancellationToken.None));
        });
}
