using Calico.Linux.Kernel;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Linux.Tests.Kernel;

/// <summary>
/// Root tier: the probe on this project's kernel (machine-notes: nftables, VXLAN and eBPF, no ipip, no WireGuard),
/// once from its config and once by trial in a throwaway namespace; neither leaves anything behind.
/// </summary>
[Trait("Tier", "Root")]
public class KernelProbeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Probe_ThisKernel_HasNftablesVxlanEbpfButNotIpipOrWireguard(bool ignoreConfig)
    {
        IpTool.RequireRootTier();

        KernelCapabilities capabilities = await KernelProbe.ProbeAsync(new KernelProbeOptions { IgnoreConfig = ignoreConfig });
        foreach (KernelFeatureResult result in capabilities.Results)
        {
            output.WriteLine($"{result.Feature.Name}: {result.State} ({result.Reason})");
        }

        Assert.True(capabilities.Has(KernelFeatures.Nftables), capabilities[KernelFeatures.Nftables].Reason);
        Assert.True(capabilities.Has(KernelFeatures.Veth), capabilities[KernelFeatures.Veth].Reason);
        Assert.True(capabilities.Has(KernelFeatures.Vxlan), capabilities[KernelFeatures.Vxlan].Reason);
        Assert.True(capabilities.Has(KernelFeatures.Vxlan6), capabilities[KernelFeatures.Vxlan6].Reason);
        Assert.True(capabilities.Has(KernelFeatures.Ebpf), capabilities[KernelFeatures.Ebpf].Reason);
        Assert.False(capabilities.Has(KernelFeatures.Ipip));
        Assert.False(capabilities.Has(KernelFeatures.Wireguard));
        Assert.True(capabilities.MeetsRequirements);
        Assert.All(capabilities.Results, r => Assert.NotEqual(KernelFeatureState.Untested, r.State));
        if (ignoreConfig)
        {
            Assert.Null(capabilities.ConfigSource);
            Assert.Contains("throwaway namespace", capabilities[KernelFeatures.Vxlan].Reason, StringComparison.Ordinal);
            Assert.Contains("EOPNOTSUPP", capabilities[KernelFeatures.Ipip].Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Probe_ByTrial_LeavesNoNamespaceLinkOrTableBehind()
    {
        IpTool.RequireRootTier();
        // Other test assemblies create and remove namespaces and links meanwhile: look for the probe's own names only.
        await KernelProbe.ProbeAsync(new KernelProbeOptions { IgnoreConfig = true });

        Assert.DoesNotContain("probe", IpTool.Run("netns", "list"), StringComparison.Ordinal);
        Assert.DoesNotContain("probe-", IpTool.Run("-o", "link", "show"), StringComparison.Ordinal);
        var (_, tables, _) = IpTool.RunProcess(Prerequisites.Require("nft"), ["list", "tables"], throwOnError: true);
        Assert.DoesNotContain("calico-probe", tables, StringComparison.Ordinal);
    }
}
