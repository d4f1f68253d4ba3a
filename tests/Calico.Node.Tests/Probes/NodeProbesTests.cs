using Calico.Bird.Control;
using Calico.Node.Probes;
using Calico.TestKit;

namespace Calico.Node.Tests.Probes;

/// <summary>The probe flags' parsing and upstream's checkBIRDReady decision, without a running node.</summary>
[Trait("Tier", "Unit")]
public sealed class NodeProbesTests
{
    [Fact]
    public void TryParse_OneOrTwoDashes_HealthVerb_Threshold_StateDir()
    {
        Assert.Null(NodeProbeOptions.TryParse([]));
        Assert.Null(NodeProbeOptions.TryParse(["--state-dir", "/x"]));
        Assert.Equal(
            new NodeProbeOptions(true, false, true, false, false, false, TimeSpan.FromSeconds(30), "/var/lib/calico"),
            NodeProbeOptions.TryParse(["-felix-live", "-bird-live"]));
        Assert.Equal(
            new NodeProbeOptions(false, true, false, true, false, true, TimeSpan.FromMinutes(2), "/s"),
            NodeProbeOptions.TryParse(["health", "--felix-ready", "--bird-ready", "--bird6-ready", "--threshold-time=2m", "--state-dir", "/s"]));
    }

    [Theory]
    [InlineData("-felix-live -bogus", "'-bogus'")]
    [InlineData("-bird-ready -threshold-time soon", "-threshold-time='soon'")]
    [InlineData("-bird-ready -threshold-time", "-threshold-time needs a value")]
    [InlineData("-felix-live=false", "takes no value")]
    public void TryParse_BadArgument_NamedAndRefused(string args, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => NodeProbeOptions.TryParse(args.Split(' ')));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static BirdProtocolStatus Bgp(string name, string info) => new(name, "BGP", "---", info == "Established" ? "up" : "start", "12:00:00", info);

    public static TheoryData<string[], bool, bool, bool, string?> Decisions => new()
    {
        // peers (name=info), ipv6, within threshold, graceful restart in progress → reason (null: ready)
        { [], false, true, false, null },
        { ["kernel_v4=", "Mesh_fd00__2=Active"], false, true, false, null },
        { ["Mesh_10_0_0_2=Established", "Node_10_0_0_3=Established"], false, true, false, null },
        { ["Mesh_10_0_0_2=Established", "Node_10_0_0_3=Active"], false, true, false, "BGP not established with 10.0.0.3" },
        { ["Mesh_10_0_0_2=Established"], false, true, true, "graceful restart in progress" },
        { ["Mesh_10_0_0_2=Established", "Node_10_0_0_3=Connect"], false, false, false, null },
        { ["Mesh_10_0_0_2=Idle", "Global_10_0_0_9=Active"], false, false, false, "BGP not established with 10.0.0.2,10.0.0.9" },
        { ["Mesh_10_0_0_2=Established", "Mesh_fd00__2=Active"], true, true, false, "BGP not established with fd00::2" },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public void Evaluate_AsUpstreamsCheckBirdReady(string[] peers, bool ipv6, bool withinThreshold, bool gracefulRestart, string? expected)
    {
        var protocols = peers.Select(p => p.Split('=')).Select(p => p[0].StartsWith("kernel", StringComparison.Ordinal)
            ? new BirdProtocolStatus(p[0], "Kernel", "master4", "up", "12:00:00", "")
            : Bgp(p[0], p[1])).ToList();

        Assert.Equal(expected, NodeProbes.Evaluate(protocols, ipv6, withinThreshold, gracefulRestart));
    }

    [Fact]
    public async Task RunAsync_NothingRunning_Exits1WithUpstreamsMessages()
    {
        using var dir = new TempDirectory("probes");
        var output = new StringWriter();
        // Port 9 (discard) on loopback: nothing serves HTTP there.
        var environment = new Dictionary<string, string> { ["FELIX_HEALTHHOST"] = "127.0.0.1", ["FELIX_HEALTHPORT"] = "9" };

        int code = await NodeProbes.RunAsync(
            NodeProbeOptions.TryParse(["-felix-live", "-bird-live", "-bird-ready", "--state-dir", dir.Path])!, environment, output, TimeProvider.System, CancellationToken.None);

        Assert.Equal(1, code);
        string text = output.ToString();
        Assert.Contains("calico/node is not ready: Felix is not live: Get \"http://127.0.0.1:9/liveness\"", text, StringComparison.Ordinal);
        Assert.Contains("calico/node is not ready: bird is not live: ", text, StringComparison.Ordinal);
        Assert.Contains("calico/node is not ready: BIRD is not ready: failed to stat() nodename file", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoCheckAsked_OrNoBird_AsUpstream()
    {
        var output = new StringWriter();
        Assert.Equal(1, await NodeProbes.RunAsync(NodeProbeOptions.TryParse(["health"])!, new Dictionary<string, string>(), output, TimeProvider.System, CancellationToken.None));
        Assert.Contains("calico/node check error: must specify at least one of", output.ToString(), StringComparison.Ordinal);

        // A VXLAN-only or policy-only node runs no BIRD: its BIRD checks have nothing to fail on.
        var vxlan = new Dictionary<string, string> { ["CALICO_NETWORKING_BACKEND"] = "vxlan" };
        Assert.Equal(0, await NodeProbes.RunAsync(NodeProbeOptions.TryParse(["-bird-live", "-bird-ready", "--state-dir", "/nonexistent"])!, vxlan, output, TimeProvider.System, CancellationToken.None));
    }
}
