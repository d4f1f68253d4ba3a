using System.Text.RegularExpressions;
using Calico.Api;
using Calico.Node.Routing;

namespace Calico.Node.Tests;

/// <summary>Upstream Felix's MTU rules: host MTU from mtuIfacePattern, tunnel overheads and overrides, the workload MTU.</summary>
[Trait("Tier", "Unit")]
public sealed class MtuCalculatorTests
{
    private static readonly HostLink[] Links =
    [
        new("lo", 65536, true),
        new("eth0", 1500, true),
        new("ens5", 9001, true),
        new("cali1234", 1450, true),
        new("vxlan.calico", 1450, true),
        new("docker0", 1200, true),
    ];

    [Theory]
    [InlineData(MtuSettings.DefaultIfacePattern, 1500, "eth0")] // lo, cali*, vxlan.calico and docker0 do not match upstream's default
    [InlineData("^ens", 9001, "ens5")]
    [InlineData("^(eth|docker)", 1200, "docker0")]
    [InlineData("^foo", MtuCalculator.FallbackHostMtu, null)] // nothing matches: upstream's 1460
    public void HostMtu_SmallestUpInterfaceMatchingThePattern(string pattern, int expected, string? iface)
    {
        MtuPlan plan = MtuCalculator.Plan(Links, MtuEncapsulations.None, Settings(pattern));

        Assert.Equal((expected, iface, expected), (plan.HostMtu, plan.HostInterface, plan.Pod));
    }

    [Fact]
    public void HostMtu_InterfaceNotRunning_Ignored()
    {
        HostLink[] links = [new("eth0", 1500, true), new("eth1", 1350, false)];

        Assert.Equal(1500, MtuCalculator.Plan(links, MtuEncapsulations.None, Settings()).HostMtu);
        Assert.Equal(1350, MtuCalculator.Plan([.. links[..1], links[1] with { Running = true }], MtuEncapsulations.None, Settings()).HostMtu);
    }

    [Theory]
    [InlineData(false, false, false, 1500)]
    [InlineData(true, false, false, 1450)]
    [InlineData(false, true, false, 1430)]
    [InlineData(false, false, true, 1480)]
    [InlineData(true, true, false, 1430)]
    [InlineData(true, false, true, 1450)]
    [InlineData(true, true, true, 1430)]
    public void PodMtu_SmallestAmongEncapsulationsInUse(bool vxlan, bool vxlan6, bool ipip, int expected)
    {
        MtuPlan plan = MtuCalculator.Plan(Links, new MtuEncapsulations(vxlan, vxlan6, ipip), Settings());

        Assert.Equal(expected, plan.Pod);
        Assert.Equal((1450, 1430, 1480), (plan.Vxlan, plan.VxlanV6, plan.Ipip)); // device MTUs whether in use or not, as upstream
    }

    [Theory]
    [InlineData(1400, 0, 0, true, false, false, 1400, 1400, 1430, 1480)] // vxlanMTU: the device and, VXLAN in use, the workloads
    [InlineData(1400, 0, 0, false, false, false, 1500, 1400, 1430, 1480)] // an override of an unused encapsulation changes no workload
    [InlineData(0, 1300, 0, true, true, false, 1300, 1450, 1300, 1480)]
    [InlineData(0, 0, 1490, true, false, true, 1450, 1450, 1430, 1490)] // the smallest in use wins, override or not
    [InlineData(9000, 0, 0, true, false, false, 9000, 9000, 1430, 1480)] // larger than the host: used (and warned about)
    public void Overrides_ReplaceTheDeviceMtu_WorkloadsTakeTheSmallestInUse(
        int vxlanMtu, int vxlanMtuV6, int ipipMtu, bool vxlan, bool vxlan6, bool ipip, int pod, int vxlanDevice, int vxlan6Device, int ipipDevice)
    {
        MtuPlan plan = MtuCalculator.Plan(Links, new MtuEncapsulations(vxlan, vxlan6, ipip), Settings() with { VxlanMtu = vxlanMtu, VxlanMtuV6 = vxlanMtuV6, IpipMtu = ipipMtu });

        Assert.Equal((pod, vxlanDevice, vxlan6Device, ipipDevice), (plan.Pod, plan.Vxlan, plan.VxlanV6, plan.Ipip));
        Assert.Equal(pod > 1500, plan.PodAboveHost);
    }

    [Fact]
    public void NoInterfaceMatched_OverheadsComeOffUpstreamsFallback()
    {
        MtuPlan plan = MtuCalculator.Plan(Links, new MtuEncapsulations(true, false, false), Settings("^foo"));

        Assert.Equal((1460, 1410), (plan.HostMtu, plan.Pod));
    }

    [Theory]
    [InlineData("10.65.0.0/16", "Always", null, null, "VXLAN")]
    [InlineData("10.65.0.0/16", "CrossSubnet", null, null, "VXLAN")]
    [InlineData("10.65.0.0/16", "Never", null, null, "none")]
    [InlineData("10.65.0.0/16", "Always", null, true, "none")] // a disabled pool uses no tunnel
    [InlineData("fd00:65::/48", "CrossSubnet", null, null, "IPv6 VXLAN")]
    [InlineData("10.65.0.0/16", null, "Always", null, "IP-in-IP")]
    [InlineData("fd00:65::/48", null, "Always", null, "none")] // IP-in-IP is IPv4 only
    [InlineData("10.65.0.0/16", "Never", "CrossSubnet", null, "IP-in-IP")]
    public void Encapsulations_FollowEnabledPools(string cidr, string? vxlanMode, string? ipipMode, bool? disabled, string expected)
    {
        var pool = new IPPool { Metadata = { Name = "p" }, Spec = new() { Cidr = cidr, VxlanMode = vxlanMode, IpipMode = ipipMode, Disabled = disabled } };

        Assert.Equal(expected, MtuEncapsulations.From([pool]).ToString());
    }

    private static MtuSettings Settings(string pattern = MtuSettings.DefaultIfacePattern) =>
        MtuSettings.Default with { IfacePattern = new Regex(pattern, RegexOptions.CultureInvariant) };
}
