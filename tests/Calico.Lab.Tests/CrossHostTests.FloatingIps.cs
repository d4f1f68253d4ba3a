using System.Net;
using Calico.Lab.Cluster;

namespace Calico.Lab.Tests;

public sealed partial class CrossHostTests
{
    /// <summary>A floating IP inside the lab's pool (10.65.0.0/16), outside the first blocks.</summary>
    private const string FloatingIp = "10.65.250.7";

    /// <summary>
    /// Pod a (host1) gets a floating IP in the pool and host1 floatingIPs Enabled: host1's BIRD advertises the /32 and
    /// pod b on host2 reaches pod a on it. Puts the endpoint and the configuration back.
    /// </summary>
    [Fact]
    public async Task FloatingIp_InThePool_AdvertisedByItsHost_ReachedFromAPodOnAnotherHost()
    {
        LabPod a = fixture.Pod("a");
        string original = await Lab.CalicoctlAsync(null, "get", "workloadendpoint", a.EndpointName, "-n", a.Namespace, "-o", "yaml");
        int spec = original.IndexOf("\nspec:\n", StringComparison.Ordinal);
        Assert.True(spec > 0, original);
        string withNat = original[..(spec + 7)] + $"  ipNATs:\n  - internalIP: {a.Address}\n    externalIP: {FloatingIp}\n" + original[(spec + 7)..];
        withNat = StripRevision(withNat);
        try
        {
            await Lab.CalicoctlAsync(withNat, "apply", "-f", "-");
            await Lab.CalicoctlAsync($"""
                apiVersion: projectcalico.org/v3
                kind: FelixConfiguration
                metadata:
                  name: node.{a.Host}
                spec:
                  floatingIPs: Enabled
                """, "apply", "-f", "-");

            var host32 = IPNetwork.Parse(FloatingIp + "/32");
            Assert.True(
                await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.BirdRoutes("host2").Contains(host32)), CrossHostFixture.Converge),
                $"host2 has no BGP route to the floating IP {FloatingIp}/32");
            Assert.Equal(("eth0", "172.30.0.11"), fixture.RouteGet("host2", FloatingIp));
            var onFloatingIp = new ProbeTarget(a.Id + "@fip", LabLayout.NetnsPath(a.Netns), IPAddress.Parse(FloatingIp));
            Assert.True(
                await LabRunner.EventuallyAsync(() => Prober.ReachesAsync(fixture.Target("b"), onFloatingIp, CrossHostFixture.Http, CancellationToken.None), CrossHostFixture.Converge),
                $"x/b (host2) does not reach x/a on its floating IP {FloatingIp}");
        }
        finally
        {
            await Lab.CalicoctlAsync(null, "delete", "felixconfiguration", "node." + a.Host, "--skip-not-exists");
            await Lab.CalicoctlAsync(StripRevision(original), "apply", "-f", "-");
        }
    }

    private static string StripRevision(string yaml) =>
        string.Join('\n', yaml.Split('\n').Where(l => !l.TrimStart().StartsWith("resourceVersion:", StringComparison.Ordinal)));
}
