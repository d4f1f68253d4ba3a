using System.Net;
using Calico.Felix.Dataplane.Vxlan;
using static Calico.Felix.Dataplane.Tests.VxlanTestbed;

namespace Calico.Felix.Dataplane.Tests;

/// <summary>Root tier: the VXLAN manager behind <see cref="IDataplaneManager{TDesired}"/>, the whole overlay in, a report out.</summary>
[Trait("Tier", "Root")]
public class VxlanManagerSeamTests
{
    [Fact]
    public async Task ApplyAsync_WholeOverlay_ConvergesReportsThenTurnsOff()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        var host1 = new VxlanManager(bed.Netlink1);
        var host2 = new VxlanManager(bed.Netlink2);
        bed.H2.Ip("addr", "add", "10.244.1.5/32", "dev", "lo");
        var overlay1 = new VxlanOverlay(Host1, [Host2Remote], [Host2Block]);

        DataplaneReport first = await host1.ApplyAsync(overlay1, CancellationToken.None);
        VxlanSyncResult firstSync = host1.LastSync!;
        await host2.ApplyAsync(new VxlanOverlay(Host2, [Host1Remote], [Host1Block]), CancellationToken.None);
        DataplaneReport again = await host1.ApplyAsync(overlay1, CancellationToken.None);

        Assert.Equal(firstSync.Writes, first.Changes);
        Assert.True(first.Changes >= 4, first.Detail);
        Assert.Empty(first.Failures);
        Assert.StartsWith("vxlan.calico (device created): 2 neighbour/FDB entries written", first.Detail, StringComparison.Ordinal);
        Assert.Same(DataplaneReport.Unchanged, again);
        Assert.Equal(["10.244.1.0/26 via 10.244.1.1 dev vxlan.calico onlink"], FelixRoutes(bed.H1));
        (int exit, string output) = Ping(bed.H1, "10.244.1.5");
        Assert.True(exit == 0, output);

        DataplaneReport off = await host1.ApplyAsync(VxlanOverlay.Off, CancellationToken.None);

        Assert.True(host1.LastSync!.DeviceRemoved);
        Assert.StartsWith("vxlan.calico (device removed)", off.Detail, StringComparison.Ordinal);
        Assert.Null(bed.Netlink1.GetLink(VxlanManager.IPv4DeviceName));
        Assert.Empty(FelixRoutes(bed.H1));
    }
}
