using System.Text.RegularExpressions;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// What hosts advertise, seen by the ToR's BIRD: BGPConfiguration communities on the matching prefixes only, service
/// ranges from every host (and never in a host's kernel), and logSeverityScreen in BIRD's log. Each test puts the
/// BGPConfigurations back as it found them.
/// </summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed partial class BgpAdvertisementLabTests(RoutingLabFixture fixture)
{
    private static readonly string[] Hosts = ["host1", "host2", "host3"];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Blanks();

    [Fact]
    public async Task Communities_TorSeesStandardAndLargeOnTheAdvertisedPoolsBlocksOnly()
    {
        var saved = await SaveBgpConfigurationsAsync();
        try
        {
            await fixture.Lab.CalicoctlAsync($"""
                apiVersion: projectcalico.org/v3
                kind: BGPConfiguration
                metadata:
                  name: default
                spec:
                  communities:
                    - name: lab-standard
                      value: "65001:100"
                  prefixAdvertisements:
                    - cidr: {LabLayout.PoolCidr}
                      communities: [lab-standard, "65001:1:2"]
                """, "apply", "-f", "-");

            // Every host's IPv4 block carries both communities; the IPv6 pool was not listed, so its blocks carry none.
            foreach (var pod in new[] { "a", "b", "c" })
            {
                var address = fixture.Pod(pod).Address;
                Assert.True(
                    await LabRunner.EventuallyAsync(async () => HasCommunities(await fixture.TorBirdcAsync("show", "route", "for", address, "all")), CrossHostFixture.Converge),
                    $"the ToR's route to x/{pod} ({address}) lacks (65001,100) and (65001,1,2):\n" + await fixture.TorBirdcAsync("show", "route", "for", address, "all"));
                var route6 = await fixture.TorBirdcAsync("show", "route", "for", fixture.Pod(pod).Address6, "all");
                Assert.Contains("unicast", route6, StringComparison.Ordinal);
                Assert.False(HasAnyCommunity(route6), $"the ToR's route to x/{pod}'s IPv6 address has communities:\n{route6}");
            }

            Assert.False(HasAnyCommunity(await fixture.TorBirdcAsync("show", "route", "protocol", "host1_v6", "all")), "an IPv6 route from host1 carries a community");
        }
        finally
        {
            await RestoreBgpConfigurationsAsync(saved);
        }

        Assert.True(
            await LabRunner.EventuallyAsync(async () => !HasAnyCommunity(await fixture.TorBirdcAsync("show", "route", "for", fixture.Pod("a").Address, "all")), CrossHostFixture.Converge),
            "the communities stayed on x/a's block after the BGPConfiguration was restored");
    }

    [Fact]
    public async Task ServiceRanges_AdvertisedByEveryHost_NeverInAHostKernel_WithdrawnWhenRemoved()
    {
        const string ClusterRange = "10.96.0.0/16";
        const string ClusterRange6 = "fd00:96::/112";
        const string ExternalRange = "192.0.2.0/24";
        const string ExternalSingle = "192.0.2.77/32";
        var saved = await SaveBgpConfigurationsAsync();
        try
        {
            await fixture.Lab.CalicoctlAsync($$"""
                apiVersion: projectcalico.org/v3
                kind: BGPConfiguration
                metadata:
                  name: default
                spec:
                  serviceClusterIPs: [{cidr: {{ClusterRange}}}, {cidr: "{{ClusterRange6}}"}]
                  serviceExternalIPs: [{cidr: {{ExternalRange}}}, {cidr: {{ExternalSingle}}}]
                """, "apply", "-f", "-");

            foreach (var host in Hosts)
            {
                foreach (var cidr in new[] { ClusterRange, ClusterRange6, ExternalRange })
                {
                    Assert.True(
                        await LabRunner.EventuallyAsync(async () => await TorHasNetworkAsync(cidr) && await fixture.TorHasRouteAsync(cidr, host), CrossHostFixture.Converge),
                        $"the ToR has no route to {cidr} from {host}:\n" + await fixture.TorBirdcAsync("show", "route"));
                }
            }

            // A single external address is advertised per service upstream (not here: no service source), never as a range.
            Assert.False(await TorHasNetworkAsync(ExternalSingle), $"{ExternalSingle} was advertised as a global range");

            // Each host originates a blackhole in BIRD and learns the others' advertisements over the mesh; neither
            // reaches its kernel, so no host blackholes or redirects service traffic meant for another.
            foreach (var host in Hosts)
            {
                Assert.Contains("blackhole", await fixture.HostBirdcAsync(host, "show", "route", ClusterRange, "all"), StringComparison.Ordinal);
                Assert.DoesNotContain(fixture.BirdRoutes(host), n => n.ToString() is ClusterRange or ExternalRange);
                Assert.DoesNotContain(fixture.BirdRoutes(host, 6), n => n.ToString() == ClusterRange6);
                Assert.False(fixture.HasBirdRouteTo(host, "10.96.0.10"), $"{host}'s kernel has a BIRD route into {ClusterRange}");
            }
        }
        finally
        {
            await RestoreBgpConfigurationsAsync(saved);
        }

        foreach (var cidr in new[] { ClusterRange, ClusterRange6, ExternalRange })
        {
            Assert.True(
                await LabRunner.EventuallyAsync(async () => !await TorHasNetworkAsync(cidr), CrossHostFixture.Converge),
                $"the ToR still has {cidr} after the service ranges were removed");
        }
    }

    [Fact]
    public async Task LogSeverityScreen_NodeDebugTracesEveryProtocolInThatHostsBirdLog_UntilRemoved()
    {
        // At Info (no setting) the device protocol traces state changes only; at Debug it also logs every interface
        // scan (each 2 s). A node.host1 BGPConfiguration applies to host1 alone.
        var saved = await SaveBgpConfigurationsAsync();
        var log1 = Path.Combine(fixture.Host("host1").Directory, "bird.log");
        var log2 = Path.Combine(fixture.Host("host2").Directory, "bird.log");
        long start1 = LogLength(log1), start2 = LogLength(log2);
        try
        {
            await fixture.Lab.CalicoctlAsync("""
                apiVersion: projectcalico.org/v3
                kind: BGPConfiguration
                metadata:
                  name: node.host1
                spec:
                  logSeverityScreen: Debug
                """, "apply", "-f", "-");

            Assert.True(
                await LabRunner.EventuallyAsync(() => Task.FromResult(LogSince(log1, start1).Contains("Scanning interfaces", StringComparison.Ordinal)), CrossHostFixture.Converge),
                $"host1's BIRD log shows no debug tracing after logSeverityScreen: Debug:\n{Tail(LogSince(log1, start1))}");
            Assert.DoesNotContain("Scanning interfaces", LogSince(log2, start2), StringComparison.Ordinal);
            Assert.Equal("Established", await fixture.BgpStateAsync("host1", FabricAddressing.TorAddress));
        }
        finally
        {
            await RestoreBgpConfigurationsAsync(saved);
        }

        // Back at Info: a 6 s window (three scan periods) without a scan line.
        Assert.True(
            await LabRunner.EventuallyAsync(
                async () =>
                {
                    var mark = LogLength(log1);
                    await Task.Delay(TimeSpan.FromSeconds(6));
                    return !LogSince(log1, mark).Contains("Scanning interfaces", StringComparison.Ordinal);
                },
                CrossHostFixture.Converge),
            "host1's BIRD kept debug tracing after node.host1 was deleted");
    }

    private static bool HasCommunities(string route)
    {
        var compact = Blanks().Replace(route, "");
        return compact.Contains("BGP.community:(65001,100)", StringComparison.Ordinal) && compact.Contains("BGP.large_community:(65001,1,2)", StringComparison.Ordinal);
    }

    private static bool HasAnyCommunity(string route) =>
        route.Contains("(65001,100)", StringComparison.Ordinal) || Blanks().Replace(route, "").Contains("(65001,1,2)", StringComparison.Ordinal);

    /// <summary>Whether the ToR's table has <paramref name="cidr"/> exactly (birdc fails "show route &lt;net&gt;" for
    /// a network it lacks, so read the whole table: a network starts its line).</summary>
    private async Task<bool> TorHasNetworkAsync(string cidr) =>
        (await fixture.TorBirdcAsync("show", "route")).Split('\n').Any(line => line.StartsWith(cidr + " ", StringComparison.Ordinal));

    private static long LogLength(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string LogSince(string path, long offset)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        // BIRD moved the file aside at its size limit: read the new one whole.
        stream.Position = stream.Length >= offset ? offset : 0;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];

    /// <summary>The BGPConfigurations as they are (the lab has none by default), to put back afterwards.</summary>
    private async Task<Dictionary<string, string>> SaveBgpConfigurationsAsync()
    {
        var saved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in await BgpConfigurationNamesAsync())
        {
            saved[name] = await fixture.Lab.CalicoctlAsync(null, "get", "bgpconfiguration", name, "-o", "yaml", "--export");
        }

        return saved;
    }

    private async Task RestoreBgpConfigurationsAsync(Dictionary<string, string> saved)
    {
        foreach (var name in await BgpConfigurationNamesAsync())
        {
            if (saved.TryGetValue(name, out var yaml))
            {
                await fixture.Lab.CalicoctlAsync(yaml, "replace", "-f", "-");
            }
            else
            {
                await fixture.Lab.CalicoctlAsync(null, "delete", "bgpconfiguration", name);
            }
        }

        foreach (var (name, yaml) in saved)
        {
            if (!(await BgpConfigurationNamesAsync()).Contains(name))
            {
                await fixture.Lab.CalicoctlAsync(yaml, "create", "-f", "-");
            }
        }
    }

    private async Task<List<string>> BgpConfigurationNamesAsync()
    {
        // The table's first column, under its NAME header.
        var output = await fixture.Lab.CalicoctlAsync(null, "get", "bgpconfigurations");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2)[0])
            .Where(name => name != "NAME")];
    }
}
