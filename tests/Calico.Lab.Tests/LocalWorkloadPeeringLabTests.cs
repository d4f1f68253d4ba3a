using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// BGP with a workload on the node (BGPPeer <c>localWorkloadSelector</c>, BGPConfiguration
/// <c>localWorkloadPeeringIPV4</c>) and <c>bindMode: NodeIP</c>, on the shared routing lab. The workload is a pod on
/// host1 running its own BIRD; host2 and the ToR observe what host1 re-advertises.
/// </summary>
[Collection(CrossHostCollection.Name)]
[Trait("Tier", "Cluster")]
public sealed class LocalWorkloadPeeringLabTests(RoutingLabFixture fixture)
{
    private const string PeeringIp = "169.254.0.179";
    private const string Announced = "192.0.2.0/24";
    private const string RouterAs = "65100";

    [Fact]
    public async Task LocalWorkloadSelector_SessionWithPodBird_Established_PrefixLearnedAndPropagated()
    {
        var bird = Prerequisites.Require("bird");
        var birdc = Prerequisites.Require("birdc");
        bool createdConfig = await EnsureDefaultBgpConfigurationAsync();
        using var dir = new TempDirectory("localpeer");
        var socket = dir.File("bird.ctl");
        bool podStarted = false;
        try
        {
            await fixture.Lab.CalicoctlAsync(null, "patch", "bgpconfiguration", "default", "-p", "{\"spec\":{\"localWorkloadPeeringIPV4\":\"" + PeeringIp + "\"}}");
            // Upstream's manifests set defaultEndpointToHostAction ACCEPT; the lab keeps Drop, so host1 opens it here
            // (the session is workload-to-host traffic: the pod's egress policy, then this action).
            await fixture.Lab.CalicoctlAsync($"""
                apiVersion: projectcalico.org/v3
                kind: FelixConfiguration
                metadata:
                  name: node.host1
                spec:
                  defaultEndpointToHostAction: Accept
                ---
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata:
                  name: workload-routes
                spec:
                  cidr: {Announced}
                  nodeSelector: "!all()"
                  vxlanMode: Never
                  ipipMode: Never
                ---
                apiVersion: projectcalico.org/v3
                kind: BGPPeer
                metadata:
                  name: pod-router
                spec:
                  node: host1
                  localWorkloadSelector: role == 'bgp-router'
                  asNumber: {RouterAs}
                """, "apply", "-f", "-");
            podStarted = true;
            await fixture.Lab.MustAsync("run", "host1", "x/router", "--labels", "role=bgp-router");
            var pod = fixture.Pod("router");
            var hostSide = fixture.RouteGet("host1", pod.Address).Dev;

            Assert.True(
                await LabRunner.EventuallyAsync(() => Task.FromResult(IpTool.Run("-n", fixture.Lab.Netns("host1"), "-4", "addr", "show", "dev", hostSide).Contains(PeeringIp + "/32", StringComparison.Ordinal)), CrossHostFixture.Converge),
                $"host1 has no {PeeringIp}/32 on {hostSide}");

            var config = dir.File("bird.conf");
            await File.WriteAllTextAsync(config, $$"""
                router id {{pod.Address}};
                protocol device { scan time 2; }
                protocol static { ipv4; route {{Announced}} blackhole; }
                protocol bgp node {
                  local as {{RouterAs}};
                  neighbor {{PeeringIp}} as 64512;
                  multihop;
                  connect retry time 2;
                  ipv4 { import none; export all; };
                }
                """);
            var started = await LabRunner.InNetnsAsync(pod.Netns, bird, "-c", config, "-s", socket, "-P", dir.File("bird.pid"));
            Assert.True(started.ExitCode == 0, $"bird in the pod: {started.Output}{started.Error}");

            Assert.True(
                await LabRunner.EventuallyAsync(async () => await fixture.BgpStateAsync("host1", pod.Address) == "Established", CrossHostFixture.Converge),
                $"host1's session with the pod is {await fixture.BgpStateAsync("host1", pod.Address)}:\n" + await fixture.HostBirdcAsync("host1", "show", "protocols", "all"));
            Assert.True(
                await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.HasBirdRouteTo("host1", "192.0.2.1")), CrossHostFixture.Converge),
                $"host1's kernel has no BIRD route to {Announced}");
            Assert.True(
                await LabRunner.EventuallyAsync(() => Task.FromResult(fixture.HasBirdRouteTo("host2", "192.0.2.1")), CrossHostFixture.Converge),
                $"host2's kernel has no BIRD route to {Announced}:\n" + await fixture.HostBirdcAsync("host2", "show", "route", "all", Announced));
            Assert.True(
                await LabRunner.EventuallyAsync(() => fixture.TorHasRouteAsync(Announced, "host1"), CrossHostFixture.Converge),
                $"the ToR did not learn {Announced} from host1:\n" + await fixture.TorBirdcAsync("show", "route", "all", Announced));
        }
        finally
        {
            await StopBirdAsync(birdc, socket, dir.File("bird.pid"));
            if (podStarted)
            {
                await LabWorkloads.DeleteAsync(fixture.Layout, "x", "router", CancellationToken.None);
            }

            await fixture.Lab.CalicoctlAsync(null, "delete", "bgppeer", "pod-router", "--skip-not-exists");
            await fixture.Lab.CalicoctlAsync(null, "delete", "ippool", "workload-routes", "--skip-not-exists");
            await fixture.Lab.CalicoctlAsync(null, "delete", "felixconfiguration", "node.host1", "--skip-not-exists");
            await RestoreDefaultBgpConfigurationAsync(createdConfig, """{"spec":{"localWorkloadPeeringIPV4":""}}""");
        }
    }

    [Fact]
    public async Task BindModeNodeIp_Port179_BoundToNodeAddressOnly()
    {
        var host1 = fixture.Host("host1");
        bool createdConfig = await EnsureDefaultBgpConfigurationAsync();
        try
        {
            Assert.Contains(Listeners(await ListeningAsync()), l => l.StartsWith("0.0.0.0:", StringComparison.Ordinal) || l.StartsWith("*:", StringComparison.Ordinal) || l.StartsWith("[::]:", StringComparison.Ordinal));
            await fixture.Lab.CalicoctlAsync(null, "patch", "bgpconfiguration", "default", "-p", """{"spec":{"bindMode":"NodeIP"}}""");

            string last = "";
            bool bound = await LabRunner.EventuallyAsync(async () =>
            {
                last = await ListeningAsync();
                var listeners = Listeners(last);
                return listeners.Contains(host1.Address + ":179") && listeners.All(l => l == host1.Address + ":179" || l.StartsWith("[fd00:30:", StringComparison.Ordinal));
            }, CrossHostFixture.Converge);
            Assert.True(bound, $"host1's BGP listeners are not on {host1.Address} only:\n{last}");
            Assert.True(
                await LabRunner.EventuallyAsync(async () => await fixture.BgpStateAsync("host1", FabricAddressing.TorAddress) == "Established", CrossHostFixture.Converge),
                "host1's ToR session did not come back with bindMode NodeIP:\n" + await fixture.HostBirdcAsync("host1", "show", "protocols"));
        }
        finally
        {
            await RestoreDefaultBgpConfigurationAsync(createdConfig, """{"spec":{"bindMode":"None"}}""");
        }
    }

    /// <summary><c>ss -ltnH</c> in host1 for port 179.</summary>
    private async Task<string> ListeningAsync()
    {
        var result = await LabRunner.InNetnsAsync(fixture.Lab.Netns("host1"), "ss", "-ltnH", "sport = :179");
        Assert.True(result.ExitCode == 0, $"ss: {result.Error}");
        return result.Output;
    }

    /// <summary>The local address:port column of each listening socket.</summary>
    private static List<string> Listeners(string ss) =>
        [.. ss.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(columns => columns.Length >= 4)
            .Select(columns => columns[3])];

    /// <summary>Creates an empty default BGPConfiguration when the lab has none; true when it did.</summary>
    private async Task<bool> EnsureDefaultBgpConfigurationAsync()
    {
        var existing = await fixture.Lab.CalicoctlAsync(null, "get", "bgpconfiguration", "-o", "yaml");
        if (existing.Contains("name: default", StringComparison.Ordinal))
        {
            return false;
        }

        await fixture.Lab.CalicoctlAsync("""
            apiVersion: projectcalico.org/v3
            kind: BGPConfiguration
            metadata:
              name: default
            spec: {}
            """, "create", "-f", "-");
        return true;
    }

    private async Task RestoreDefaultBgpConfigurationAsync(bool created, string patchBack)
    {
        if (created)
        {
            await fixture.Lab.CalicoctlAsync(null, "delete", "bgpconfiguration", "default");
        }
        else
        {
            await fixture.Lab.CalicoctlAsync(null, "patch", "bgpconfiguration", "default", "-p", patchBack);
        }
    }

    private static async Task StopBirdAsync(string birdc, string socket, string pidFile)
    {
        if (File.Exists(socket))
        {
            await Command.RunAsync(birdc, ["-s", socket, "down"], cancellationToken: CancellationToken.None);
        }

        if (File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), out var pid))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
                // already gone after "down"
            }
        }
    }
}
