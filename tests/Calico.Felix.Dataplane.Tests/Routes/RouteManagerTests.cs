using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Calico.Felix.Dataplane.Routes;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Felix.Dataplane.Tests.Routes;

/// <summary>Root tier: a RouteManager programming a namespace standing as the host, checked with <c>ip -j route</c>.</summary>
[Trait("Tier", "Root")]
public class RouteManagerTests(ITestOutputHelper output)
{
    private static readonly RouteManagerOptions NoGrace = new() { NewInterfaceGracePeriod = TimeSpan.Zero };

    [Fact]
    public async Task Apply_TwoVeths_ProgramsIPv4AndIPv6RoutesOnce()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        host.AddVeth("calib");
        var manager = new RouteManager(host.Netlink, NoGrace);
        manager.SetInterfaceRoutes("calia", [Net("10.65.0.1/32"), Net("fd00::1/128")]);
        manager.SetInterfaceRoutes("calib", [Net("10.65.0.2/32")]);

        RouteSyncResult first = manager.Apply(allowRemovals: true);
        RouteSyncResult second = manager.Apply(allowRemovals: true);

        Assert.Equal((3, 0, 0), (first.Added, first.Replaced, first.Removed));
        Assert.True(first.InSync);
        Assert.Equal((0, 0, 0, 3), (second.Added, second.Replaced, second.Removed, second.Unchanged));
        Assert.Contains(("10.65.0.1", "calia", "boot", "link"), host.Routes());
        Assert.Contains(("10.65.0.2", "calib", "boot", "link"), host.Routes());
        Assert.Contains(host.Routes6(), r => r.Destination == "fd00::1" && r.Device == "calia" && r.Protocol == "boot");
    }

    [Fact]
    public async Task Apply_RouteDeletedByHand_ComesBack()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        host.AddVeth("calib");
        var manager = new RouteManager(host.Netlink, NoGrace);
        manager.SetInterfaceRoutes("calia", [Net("10.65.0.1/32")]);
        manager.SetInterfaceRoutes("calib", [Net("10.65.0.2/32"), Net("fd00::2/128")]);
        manager.Apply(allowRemovals: true);

        host.Scope.Ip("route", "del", "10.65.0.2/32", "dev", "calib");
        host.Scope.Ip("-6", "route", "del", "fd00::2/128", "dev", "calib");
        RouteSyncResult repaired = manager.Apply(allowRemovals: false);

        Assert.Equal((2, 1), (repaired.Added, repaired.Unchanged));
        Assert.Contains(("10.65.0.2", "calib", "boot", "link"), host.Routes());
        Assert.Contains(host.Routes6(), r => r.Destination == "fd00::2" && r.Device == "calib");
    }

    [Fact]
    public async Task Apply_StaleRouteOnCaliInterface_RemovedOnlyWhenAllowed()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        host.Scope.Ip("route", "add", "10.65.0.9/32", "dev", "calia", "scope", "link", "proto", "static");
        host.Scope.Ip("-6", "route", "add", "fd00::9/128", "dev", "calia");
        var manager = new RouteManager(host.Netlink, NoGrace);
        manager.SetInterfaceRoutes("calia", [Net("10.65.0.1/32")]);

        RouteSyncResult beforeSync = manager.Apply(allowRemovals: false);
        Assert.Equal((1, 0, 2), (beforeSync.Added, beforeSync.Removed, beforeSync.RemovalsDeferred));
        Assert.Contains(host.Routes(), r => r.Destination == "10.65.0.9");

        RouteSyncResult inSync = manager.Apply(allowRemovals: true);

        Assert.Equal((0, 2, 0), (inSync.Added, inSync.Removed, inSync.RemovalsDeferred));
        Assert.Equal([("10.65.0.1", "calia", "boot", "link")], host.Routes("dev", "calia"));
        Assert.DoesNotContain(host.Routes6(), r => r.Destination == "fd00::9");
        Assert.Contains(host.Routes6(), r => r.Destination == "fe80::/64" && r.Device == "calia");
    }

    [Fact]
    public async Task Apply_BirdRouteThroughWorkload_IsBirdsNotRemoved()
    {
        // A prefix learned from a local workload BGP peer: BIRD programs it through the workload's interface.
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        host.Scope.Ip("route", "add", "10.65.0.1/32", "dev", "calia", "scope", "link");
        host.Scope.Ip("route", "add", "192.0.2.0/24", "via", "10.65.0.1", "dev", "calia", "proto", "bird");
        var manager = new RouteManager(host.Netlink, NoGrace);
        manager.SetInterfaceRoutes("calia", [Net("10.65.0.1/32")]);

        RouteSyncResult result = manager.Apply(allowRemovals: true);

        Assert.Equal(0, result.Removed);
        Assert.Contains(host.Routes(), r => r.Destination == "192.0.2.0/24" && r.Device == "calia");
    }

    [Fact]
    public async Task Apply_NewInterface_KeepsUnknownRoutesForTheGracePeriod()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        var clock = new ManualTimeProvider();
        var manager = new RouteManager(host.Netlink, new RouteManagerOptions(), timeProvider: clock);
        manager.Apply(allowRemovals: true);
        host.AddVeth("calic");
        host.Scope.Ip("route", "add", "10.65.0.3/32", "dev", "calic", "scope", "link");

        RouteSyncResult young = manager.Apply(allowRemovals: true);
        clock.Advance(TimeSpan.FromSeconds(11));
        RouteSyncResult old = manager.Apply(allowRemovals: true);

        Assert.Equal((0, 1), (young.Removed, young.RemovalsDeferred));
        Assert.Equal((1, 0), (old.Removed, old.RemovalsDeferred));
        Assert.Empty(host.Routes("dev", "calic"));
    }

    [Fact]
    public async Task Apply_RoutesOnNonWorkloadInterface_AreNeverTouched()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("eth9");
        host.AddVeth("calia");
        host.Scope.Ip("route", "add", "10.66.0.1/32", "dev", "eth9", "scope", "link", "proto", "boot");
        host.Scope.Ip("route", "add", "10.67.0.0/24", "dev", "eth9", "proto", "static");
        var manager = new RouteManager(host.Netlink, NoGrace);

        RouteSyncResult result = manager.Apply(allowRemovals: true);

        Assert.Equal(0, result.Removed);
        Assert.Contains(("10.66.0.1", "eth9", "boot", "link"), host.Routes());
        Assert.Contains(host.Routes(), r => r.Destination == "10.67.0.0/24" && r.Device == "eth9");
    }

    [Fact]
    public async Task Apply_InterfaceAppearsLater_GetsItsRouteOnTheNextApply()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        var manager = new RouteManager(host.Netlink, NoGrace);
        manager.SetInterfaceRoutes("calid", [Net("10.65.0.4/32"), Net("fd00::4/128")]);

        RouteSyncResult early = manager.Apply(allowRemovals: true);
        host.AddVeth("calid");
        RouteSyncResult late = manager.Apply(allowRemovals: true);

        Assert.Equal(["calid"], early.MissingInterfaces);
        Assert.False(early.InSync);
        Assert.Equal(2, late.Added);
        Assert.True(late.InSync);
        Assert.Contains(("10.65.0.4", "calid", "boot", "link"), host.Routes());
    }

    [Fact]
    public async Task Apply_RouteAddedByCniPlugin_IsRecognisedNotDuplicated()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        // Exactly what the CNI plugin adds (proto boot, kernel default metric).
        host.Scope.Ip("route", "add", "10.65.0.5/32", "dev", "calia", "scope", "link", "proto", "boot");
        host.Scope.Ip("-6", "route", "add", "fd00::5/128", "dev", "calia", "proto", "boot");
        var manager = new RouteManager(host.Netlink, NoGrace);
        manager.SetInterfaceRoutes("calia", [Net("10.65.0.5/32"), Net("fd00::5/128")]);

        RouteSyncResult result = manager.Apply(allowRemovals: true);

        Assert.Equal((0, 0, 0, 2), (result.Added, result.Replaced, result.Removed, result.Unchanged));
        Assert.Single(host.Routes("10.65.0.5/32"));
        Assert.Single(host.Routes6("fd00::5/128"));
    }

    [Fact]
    public async Task Apply_DestinationOnWrongInterface_IsMovedInPlace()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        host.AddVeth("calib");
        host.Scope.Ip("route", "add", "10.65.0.6/32", "dev", "calib", "scope", "link");
        var manager = new RouteManager(host.Netlink, NoGrace);
        manager.SetInterfaceRoutes("calia", [Net("10.65.0.6/32")]);

        RouteSyncResult result = manager.Apply(allowRemovals: false);

        Assert.Equal((0, 1, 0), (result.Added, result.Replaced, result.Removed));
        Assert.Equal([("10.65.0.6", "calia", "boot", "link")], host.Routes("10.65.0.6/32"));
    }

    [Fact]
    public async Task RemoveInterface_ThenApplyWithRemovals_DeletesItsRoutes()
    {
        using HostNamespace host = await HostNamespace.CreateAsync();
        host.AddVeth("calia");
        var manager = new RouteManager(host.Netlink, NoGrace);
        manager.SetInterfaceRoutes("calia", [Net("10.65.0.7/32"), Net("fd00::7/128")]);
        manager.Apply(allowRemovals: true);

        manager.RemoveInterface("calia");
        RouteSyncResult result = manager.Apply(allowRemovals: true);

        Assert.Equal(2, result.Removed);
        Assert.Empty(host.Routes("dev", "calia"));
    }

    [Theory]
    [InlineData("10.65.0.0/24")]
    [InlineData("fd00::/64")]
    public void SetInterfaceRoutes_NotAHostRoute_Throws(string destination)
    {
        using var netlink = Calico.Linux.Netlink.RouteNetlink.Open();
        var manager = new RouteManager(netlink);

        Assert.Throws<ArgumentException>(() => manager.SetInterfaceRoutes("calia", [Net(destination)]));
    }

    [Fact]
    public async Task Apply_1000Routes_OneApply_ComparedWithIpBatch()
    {
        const int Count = 1000;
        const int Interfaces = 10;
        using HostNamespace host = await HostNamespace.CreateAsync();
        for (int i = 0; i < Interfaces; i++)
        {
            host.AddVeth("calim" + i.ToString(CultureInfo.InvariantCulture));
            host.AddVeth("calix" + i.ToString(CultureInfo.InvariantCulture));
        }

        var manager = new RouteManager(host.Netlink, NoGrace);
        for (int i = 0; i < Interfaces; i++)
        {
            var destinations = new List<IPNetwork>();
            for (int j = 0; j < Count / Interfaces; j++)
            {
                destinations.Add(Net($"10.65.{i}.{j + 1}/32"));
            }

            manager.SetInterfaceRoutes("calim" + i.ToString(CultureInfo.InvariantCulture), destinations);
        }

        RouteSyncResult applied = manager.Apply(allowRemovals: true);
        var resync = Stopwatch.StartNew();
        RouteSyncResult steady = manager.Apply(allowRemovals: true);
        resync.Stop();

        // The same number of routes through ip -batch (one process), on other interfaces of the same namespace.
        var batch = new StringBuilder();
        for (int i = 0; i < Interfaces; i++)
        {
            for (int j = 0; j < Count / Interfaces; j++)
            {
                batch.Append(CultureInfo.InvariantCulture, $"route add 10.75.{i}.{j + 1}/32 dev calix{i} scope link\n");
            }
        }

        using var batchFile = new TempDirectory();
        string batchPath = Path.Combine(batchFile.Path, "routes.batch");
        await File.WriteAllTextAsync(batchPath, batch.ToString());
        var ipBatch = Stopwatch.StartNew();
        host.Scope.Ip("-batch", batchPath);
        ipBatch.Stop();

        Assert.Equal(Count, applied.Added);
        Assert.Equal((0, Count), (steady.Added, steady.Unchanged));
        Assert.Equal(Count, host.Routes("root", "10.65.0.0/16").Count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RouteManager.Apply of {Count} routes: {applied.Duration.TotalMilliseconds:F1} ms; steady-state Apply (dump + diff, no writes): {resync.Elapsed.TotalMilliseconds:F1} ms; ip -batch of {Count} routes: {ipBatch.Elapsed.TotalMilliseconds:F1} ms; ratio Apply/ip-batch = {applied.Duration.TotalMilliseconds / ipBatch.Elapsed.TotalMilliseconds:F2}"));
    }

    private static IPNetwork Net(string text) => IPNetwork.Parse(text);
}
