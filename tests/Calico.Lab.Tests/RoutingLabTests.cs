using Calico.Lab.Cluster;

namespace Calico.Lab.Tests;

/// <summary>The shared routing lab itself: the ToR and the hosts exchange routes both ways.</summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed class RoutingLabTests(RoutingLabFixture fixture)
{
    [Fact]
    public async Task TorAnnouncement_ReachesEveryHostKernel_AndEveryHostsBlockReachesTheTor()
    {
        foreach (var host in new[] { "host1", "host2", "host3" })
        {
            Assert.True(
                await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.HasBirdRouteTo(host, "198.51.100.1")), CrossHostFixture.Converge),
                $"{host}'s kernel has no route to the ToR's {FabricAddressing.TorAnnouncedPrefix}");
        }

        foreach (var pod in new[] { "a", "b", "c" })
        {
            var address = fixture.Pod(pod).Address;
            Assert.True(
                await LabRunner.EventuallyAsync(async () => (await fixture.TorBirdcAsync("show", "route", "for", address)).Contains("unicast", StringComparison.Ordinal), CrossHostFixture.Converge),
                $"the ToR has no route to x/{pod} ({address}):\n" + await fixture.TorBirdcAsync("show", "route"));
        }
    }
}
