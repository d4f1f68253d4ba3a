using Calico.Api;
using Calico.Linux.Kernel;
using Calico.Node.Kernel;

namespace Calico.Node.Tests.Routing;

/// <summary>
/// An IPv6 pool with vxlanMode asks the kernel for IPv6 VXLAN (vxlan6: CONFIG_VXLAN and CONFIG_IPV6), an IPv4 one for
/// VXLAN alone: on a kernel without IPv6 only the IPv6 pool is reported (the sentence /readiness and the log carry).
/// </summary>
[Trait("Tier", "Unit")]
public sealed class Vxlan6KernelRequirementTests
{
    private const string NoIpv6Config = """
        CONFIG_NF_TABLES=y
        CONFIG_NF_TABLES_INET=y
        CONFIG_VETH=y
        CONFIG_VXLAN=y
        # CONFIG_IPV6 is not set
        """;

    [Fact]
    public void IPv6VxlanPool_OnKernelWithoutIpv6_ReportedNamingThePoolAndOption_IPv4PoolIsNot()
    {
        var config = KernelConfig.Parse(NoIpv6Config, "/proc/config.gz");
        var capabilities = new KernelCapabilities("6.18", config.Source, [.. KernelFeatures.All.Select(f => KernelVerdicts.Judge(f, config, _ => false))]);

        List<KernelRequest> requests = KernelRequirements.ForPools([Pool("v4", "10.65.0.0/16"), Pool("v6", "fd00:65::/48")]);
        var missing = KernelRequirements.Missing(requests, capabilities);

        Assert.Equal([KernelFeatures.Vxlan, KernelFeatures.Vxlan6], requests.Select(r => r.Feature));
        Assert.Equal(
            "IPPool v6 vxlanMode=CrossSubnet needs IPv6 VXLAN tunnels (vxlan6), which this kernel lacks: CONFIG_IPV6 is not set in /proc/config.gz",
            Assert.Single(missing).Message);
    }

    private static IPPool Pool(string name, string cidr)
    {
        var pool = new IPPool { Metadata = { Name = name } };
        pool.Spec.Cidr = cidr;
        pool.Spec.VxlanMode = "CrossSubnet";
        return pool;
    }
}
