using Calico.Felix.Dataplane.Interfaces;
using Calico.Linux.Netlink;

namespace Calico.Felix.Dataplane.Tests.Interfaces;

/// <summary>Root tier: polling workload links in a namespace standing as the host.</summary>
[Trait("Tier", "Root")]
public class InterfaceMonitorTests
{
    [Fact]
    public async Task Poll_VethsAppearChangeAndVanish_ReportsEachOnce()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        var monitor = new InterfaceMonitor(host.Netlink, ["cali"]);
        host.Scope.Ip("link", "add", "calia", "type", "veth", "peer", "name", "pcalia");

        InterfaceChanges first = monitor.Poll();
        host.Scope.Ip("link", "set", "calia", "up");
        host.Scope.Ip("link", "set", "pcalia", "up");
        InterfaceChanges up = monitor.Poll();
        host.AddVeth("calib");
        host.Scope.Ip("link", "del", "calia");
        InterfaceChanges swapped = monitor.Poll();
        InterfaceChanges quiet = monitor.Poll();

        Assert.Equal(["calia"], first.Appeared.Select(l => l.Name));
        Assert.Equal(LinkOperState.Up, Assert.Single(up.OperStateChanged).OperState);
        Assert.Empty(up.Appeared);
        Assert.Equal(["calib"], swapped.Appeared.Select(l => l.Name));
        Assert.Equal(["calia"], swapped.Disappeared);
        Assert.False(quiet.Any);
        Assert.Equal(["calib"], monitor.Snapshot().Keys);
    }
}
