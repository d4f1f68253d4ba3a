using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

[Trait("Tier", "Root")]
public sealed class TorRouterTests
{
    private static readonly LabHost[] s_hosts =
    [
        new() { Name = "host1", Address = "172.30.0.11", Address6 = "fd00:30::11", Subnet = 0 },
        new() { Name = "host3", Address = "172.30.1.13", Address6 = "fd00:30:1::13", Subnet = 1 },
    ];

    [Fact]
    public void RenderConfig_SameSubnetDirect_OtherSubnetMultihopFromTheTorAddress()
    {
        var config = TorRouter.RenderConfig(s_hosts);
        Assert.Contains("router id 172.30.0.254;", config, StringComparison.Ordinal);
        Assert.Contains("local as 65000;", config, StringComparison.Ordinal);
        Assert.Contains("protocol bgp host1 from labhost {\n  neighbor 172.30.0.11 external;\n  ipv4 { import all; export where source = RTS_STATIC; };\n}", config, StringComparison.Ordinal);
        Assert.Contains("protocol bgp host3 from labhost {\n  neighbor 172.30.1.13 external; multihop; source address 172.30.0.254;\n", config, StringComparison.Ordinal);
        Assert.Contains("protocol bgp host3_v6 from labhost {\n  neighbor fd00:30:1::13 external; multihop; source address fd00:30::fe;\n  ipv6 { import all; export where source = RTS_STATIC; };", config, StringComparison.Ordinal);
        Assert.Contains("protocol static tor_v4 { ipv4; route 198.51.100.0/24 blackhole; }", config, StringComparison.Ordinal);
        Assert.Contains("protocol kernel kernel4 { ipv4 { import none; export where source = RTS_BGP; }; }", config, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderConfig_BirdParsesIt()
    {
        var bird = Prerequisites.Require("bird");
        using var dir = new TempDirectory("tor-cfg");
        File.WriteAllText(dir.File("bird.cfg"), TorRouter.RenderConfig(s_hosts));
        var (exitCode, output, error) = IpTool.RunProcess(bird, ["-p", "-c", dir.File("bird.cfg")], throwOnError: false);
        Assert.True(exitCode == 0, output + error);
    }
}
