using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// BGPFilters on the hosts' ToR peerings, observed from outside: the ToR's BIRD table (what the hosts export) and
/// host1's kernel (what BIRD imported and programmed). Restores the ToR peers and removes the filter in finally.
/// </summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed class BgpFilterLabTests(RoutingLabFixture fixture)
{
    private const string FilterName = "lab-filter";

    private static readonly string Filter = $"""
        apiVersion: projectcalico.org/v3
        kind: BGPFilter
        metadata:
          name: {FilterName}
        spec:
          exportV4:
          - cidr: {LabLayout.PoolCidr}
            matchOperator: In
            action: Reject
          importV4:
          - cidr: {FabricAddressing.TorAnnouncedPrefix}
            matchOperator: Equal
            action: Reject
        """;

    [Fact]
    public async Task Filter_OnTorPeers_HidesPoolFromTorAndTorPrefixFromKernel_UntilRemoved()
    {
        var a = fixture.Pod("a");
        const string torAddress = "198.51.100.1"; // inside FabricAddressing.TorAnnouncedPrefix
        Assert.True(await LabRunner.EventuallyAsync(() => TorRoutesAsync(a.Address), CrossHostFixture.Converge), "precondition: the ToR has x/a's block");
        Assert.True(
            await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.HasBirdRouteTo("host1", torAddress)), CrossHostFixture.Converge),
            "precondition: host1's kernel has the ToR's prefix");

        try
        {
            await fixture.Lab.CalicoctlAsync(Filter, "apply", "-f", "-");
            await fixture.Lab.CalicoctlAsync(RoutingLabFixture.TorPeers(FilterName), "apply", "-f", "-");

            // (a) Export: no host advertises the IPv4 pool's blocks to the ToR any more; the IPv6 pool's still arrive.
            Assert.True(
                await LabRunner.EventuallyAsync(async () => !await TorRoutesAsync(a.Address), CrossHostFixture.Converge),
                "the ToR still has x/a's IPv4 block:\n" + await fixture.TorBirdcAsync("show", "route"));
            foreach (var pod in new[] { "b", "c" })
            {
                Assert.False(await TorRoutesAsync(fixture.Pod(pod).Address), $"the ToR still has x/{pod}'s IPv4 block");
            }

            if (a.Address6.Length > 0)
            {
                Assert.True(await TorRoutesAsync(a.Address6), "the IPv6 block of x/a left the ToR too:\n" + await fixture.TorBirdcAsync("show", "route"));
            }

            // (b) Import: the ToR's prefix leaves host1's kernel; its IPv6 twin (no importV6 rule) stays.
            Assert.True(
                await LabRunner.EventuallyAsync(() => Task.FromResult(!fixture.HasBirdRouteTo("host1", torAddress)), CrossHostFixture.Converge),
                $"host1's kernel still routes {FabricAddressing.TorAnnouncedPrefix} (proto bird)");
            Assert.True(fixture.HasBirdRouteTo("host1", "2001:db8:100::1", family: 6), "the IPv6 ToR prefix left host1's kernel too");
            Assert.Contains("Established", await fixture.BgpStateAsync("host1", FabricAddressing.TorAddress), StringComparison.Ordinal);
        }
        finally
        {
            await fixture.Lab.CalicoctlAsync(RoutingLabFixture.TorPeers(), "apply", "-f", "-");
            await fixture.Lab.CalicoctlAsync(null, "delete", "bgpfilter", FilterName);
        }

        // (c) Without the filter both come back.
        Assert.True(
            await LabRunner.EventuallyAsync(() => TorRoutesAsync(a.Address), CrossHostFixture.Converge),
            "x/a's block did not come back to the ToR");
        Assert.True(
            await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.HasBirdRouteTo("host1", torAddress)), CrossHostFixture.Converge),
            $"{FabricAddressing.TorAnnouncedPrefix} did not come back to host1's kernel");
    }

    /// <summary>The ToR has a unicast route covering the address (a host's block); birdc exits 1 for "Network not found".</summary>
    private async Task<bool> TorRoutesAsync(string address)
    {
        var birdc = Prerequisites.Require("birdc");
        var result = await Command.RunAsync(birdc, ["-s", fixture.Layout.TorSocket, "show", "route", "for", address], cancellationToken: CancellationToken.None);
        return result.Output.Contains("unicast", StringComparison.Ordinal);
    }
}
