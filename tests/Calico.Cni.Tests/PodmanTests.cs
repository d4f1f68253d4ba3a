using System.Net;
using Calico.Api;
using Calico.Ipam;

namespace Calico.Cni.Tests;

/// <summary>A real runtime: podman (runc, CNI backend) running busybox containers on our plugins.</summary>
[Trait("Tier", "Root")]
public sealed class PodmanTests(PodmanFixture fx) : IClassFixture<PodmanFixture>
{
    private async Task<(string Name, string Ip)> RunAsync(string network = "calnet")
    {
        var name = "c" + Guid.NewGuid().ToString("N")[..10];
        var run = await fx.PodmanAsync("run", "-d", "--ulimit", "host", "--name", name, "--network", network, fx.Image, "sleep", "600");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var ip = (await fx.PodmanAsync("exec", name, "sh", "-c", "ip -4 -o addr show eth0 | awk '{print $4}'")).Stdout.Trim();
        Assert.EndsWith("/32", ip, StringComparison.Ordinal);
        return (name, ip.Split('/')[0]);
    }

    private async Task RemoveAsync(params string[] names)
    {
        if (names.Length == 0)
        {
            return;
        }

        var rm = await fx.PodmanAsync(["rm", "-f", "-t", "0", .. names]);
        Assert.True(rm.ExitCode == 0, rm.Stderr);
    }

    private async Task<int> AllocatedAsync(string network)
    {
        var count = 0;
        await fx.Kernel.WithClientsAsync(async (client, ipam) =>
        {
            var (items, _) = await client.ListAsync(ResourceKinds.WorkloadEndpoint, null, CancellationToken.None);
            count = items.Count(w => ((WorkloadEndpoint)w).Spec.Profiles?.Contains(network) == true);
            var blocks = await client.Store.ListAsync("/calico/ipam/v2/handle/" + network + ".", CancellationToken.None);
            count += blocks.Items.Count;
        });
        return count;
    }

    [Fact]
    public async Task TwoContainers_PingEachOtherThroughHost_RoutesShowGateway_RmReleases()
    {
        if (!Requirements.Podman())
        {
            return;
        }

        Assert.True(fx.Ready);
        var a = await RunAsync();
        var b = await RunAsync();
        try
        {
            Assert.NotEqual(a.Ip, b.Ip);
            Assert.True(IPNetwork.Parse("10.77.0.0/24").Contains(IPAddress.Parse(a.Ip)));
            var ping = await fx.PodmanAsync("exec", a.Name, "ping", "-c", "2", "-W", "2", b.Ip);
            Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
            var route = (await fx.PodmanAsync("exec", a.Name, "ip", "route")).Stdout;
            Assert.Contains("default via 169.254.1.1 dev eth0", route, StringComparison.Ordinal);
            var neigh = (await fx.PodmanAsync("exec", a.Name, "ip", "neigh")).Stdout;
            Assert.Contains("169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee", neigh, StringComparison.Ordinal);
        }
        finally
        {
            await RemoveAsync(a.Name, b.Name);
        }

        Assert.Equal(0, await AllocatedAsync("calnet"));
    }

    [Fact]
    public async Task FiftyInParallel_DistinctAddresses_NoLeak()
    {
        if (!Requirements.Podman())
        {
            return;
        }

        var started = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => RunAsync()));
        try
        {
            Assert.Equal(50, started.Select(s => s.Ip).Distinct().Count());
        }
        finally
        {
            await RemoveAsync([.. started.Select(s => s.Name)]);
        }

        Assert.Equal(0, await AllocatedAsync("calnet"));
    }

    [Fact]
    public async Task SmallPool_EdgeAddressesHandedOutAndWork()
    {
        if (!Requirements.Podman())
        {
            return;
        }

        var started = new List<(string Name, string Ip)>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                started.Add(await RunAsync("calsmall"));
            }

            var ips = started.Select(s => s.Ip).ToHashSet();
            Assert.Equal(new HashSet<string> { "10.88.0.0", "10.88.0.1", "10.88.0.254", "10.88.0.255" }, ips);
            var zero = started.Single(s => s.Ip == "10.88.0.0");
            var ping = await fx.PodmanAsync("exec", zero.Name, "ping", "-c", "1", "-W", "2", "10.88.0.255");
            Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        }
        finally
        {
            await RemoveAsync([.. started.Select(s => s.Name)]);
        }

        Assert.Equal(0, await AllocatedAsync("calsmall"));
    }
}
