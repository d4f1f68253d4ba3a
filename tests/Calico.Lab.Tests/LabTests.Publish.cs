using System.Net;
using Calico.Lab.Cluster;
using Calico.Reachability;

namespace Calico.Lab.Tests;

public sealed partial class LabTests
{
    /// <summary>
    /// <c>run --publish</c> on the one-host lab: the outside namespace (beyond the fabric router) reaches the pod's
    /// listeners through host1's address and the host ports (TCP and UDP), which nothing on host1 itself listens on;
    /// removing the pod (CNI DEL: portmap, then calico) closes them and takes portmap's nat rules away. The pod is
    /// removed in every case, so the other tests' matrices still see x/a and x/b only.
    /// </summary>
    [Fact]
    public async Task Run_Publish_OutsideReachesPodThroughHostPort_DeleteRemovesMapping()
    {
        var layout = LabLayout.Create(Lab.Name, Lab.StateDir);
        var host = LabStateFile.Load(layout).Hosts.Single(h => h.Name == "host1");
        var outside = new ProbeTarget("outside", LabLayout.NetnsPath(Lab.Netns("outside")), IPAddress.Parse("203.0.113.2"));
        var published = new ProbeTarget("host1", LabLayout.NetnsPath(host.Netns), IPAddress.Parse(host.Address));
        Probe tcp = Probe.TryParse("TCP/18080", out var t) ? t.Value : throw new InvalidOperationException();
        Probe udp = Probe.TryParse("UDP/18081", out var u) ? u.Value : throw new InvalidOperationException();
        Assert.False(await Prober.ReachesAsync(outside, published, tcp, CancellationToken.None));
        try
        {
            var output = await Lab.MustAsync("run", "host1", "x/p", "--serve", "TCP/80,UDP/81", "--publish", "18080:80", "--publish", "18081:81/udp");
            Assert.Contains($"published on {host.Address} as 18080:80/tcp 18081:81/udp", output, StringComparison.Ordinal);
            Assert.True(await Prober.ReachesAsync(outside, published, tcp, CancellationToken.None), "outside -> host1:18080/tcp");
            Assert.True(await Prober.ReachesAsync(outside, published, udp, CancellationToken.None), "outside -> host1:18081/udp");
            var again = await Lab.RunAsync("run", "host1", "x/q", "--publish", "18080:8080");
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("--publish '18080:8080/tcp': host port 18080/tcp on host1 is already published by x/p", again.Error, StringComparison.Ordinal);
        }
        finally
        {
            await LabWorkloads.DeleteAsync(layout, "x", "p", CancellationToken.None);
        }

        Assert.False(await Prober.ReachesAsync(outside, published, tcp, CancellationToken.None));
        var nat = await LabRunner.InNetnsAsync(host.Netns, "iptables", "-w", "-t", "nat", "-S");
        Assert.Equal(0, nat.ExitCode);
        Assert.DoesNotContain("--dport 18080", nat.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("-N CNI-DN-", nat.Output, StringComparison.Ordinal);
    }
}
