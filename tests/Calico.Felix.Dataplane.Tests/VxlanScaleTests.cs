using System.Globalization;
using System.Net;
using Calico.Felix.Dataplane.Vxlan;
using Xunit.Abstractions;
using static Calico.Felix.Dataplane.Tests.VxlanTestbed;

namespace Calico.Felix.Dataplane.Tests;

/// <summary>Root tier: 1,000 remote blocks over 100 VTEPs. Durations go to the test output only (no timed assertions).</summary>
[Trait("Tier", "Root")]
public class VxlanScaleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Apply_ThousandBlocksHundredVteps_ProgramsOnceThenNoWrites()
    {
        using VxlanTestbed bed = await VxlanTestbed.CreateAsync();
        var manager = new VxlanManager(bed.Netlink1);
        manager.SetLocalVtep(Host1);
        var vteps = new List<RemoteVtep>();
        for (int i = 0; i < 100; i++)
        {
            string mac = "66:00:00:00:01:" + i.ToString("x2", CultureInfo.InvariantCulture);
            vteps.Add(new RemoteVtep("node" + i.ToString(CultureInfo.InvariantCulture), IPAddress.Parse($"10.250.0.{i + 1}"), mac, IPAddress.Parse($"192.0.2.{i + 10}")));
        }

        var blocks = new List<RemoteBlock>();
        for (int i = 0; i < 1000; i++)
        {
            var cidr = new IPNetwork(new IPAddress([10, (byte)(200 + (i / 1024)), (byte)(i / 4 % 256), (byte)(i % 4 * 64)]), 26);
            blocks.Add(new RemoteBlock(cidr, "node" + (i % 100).ToString(CultureInfo.InvariantCulture)));
        }

        manager.SetRemoteVteps(vteps);
        manager.SetRemoteBlocks(blocks);

        VxlanSyncResult first = manager.Apply();
        VxlanSyncResult steady = manager.Apply();
        manager.SetMode(crossSubnet: true);
        VxlanSyncResult crossSubnet = manager.Apply();
        manager.SetMode(crossSubnet: false);
        manager.SetLocalVtep(null);
        VxlanSyncResult off = manager.Apply();
        manager.SetLocalVtep(Host1);
        VxlanSyncResult warm = manager.Apply();

        Assert.Equal((true, 100, 100, 1000), (first.DeviceCreated, first.NeighborsWritten, first.FdbWritten, first.RoutesWritten));
        Assert.Empty(first.Failures);
        Assert.Equal((0, 1000), (steady.Writes, steady.RoutesUnchanged));
        Assert.Equal(1000, crossSubnet.RoutesWritten);
        Assert.True(off.DeviceRemoved);
        Assert.Equal((true, 100, 100, 1000), (warm.DeviceCreated, warm.NeighborsWritten, warm.FdbWritten, warm.RoutesWritten));
        Assert.Equal(1000, bed.H1.IpJson("route", "show", "proto", "80").GetArrayLength());
        output.WriteLine($"first Apply, cold (device + 100 neighbours + 100 fdb + 1,000 routes, JIT included): {first.Duration.TotalMilliseconds:F1} ms");
        output.WriteLine($"no-change Apply (1,000 routes, 100 + 100 entries read back): {steady.Duration.TotalMilliseconds:F1} ms");
        output.WriteLine($"CrossSubnet switch (1,000 routes replaced onto the underlay): {crossSubnet.Duration.TotalMilliseconds:F1} ms");
        output.WriteLine($"VXLAN off (device deleted, 1,000 parent routes removed): {off.Duration.TotalMilliseconds:F1} ms");
        output.WriteLine($"full Apply again, warm: {warm.Duration.TotalMilliseconds:F1} ms");
    }
}
