using Calico.Nftables;

namespace Calico.Felix.Rules.Tests;

/// <summary>Floating IP chains exist only with FloatingIPs Enabled and a workload's ipNATs.</summary>
[Trait("Tier", "Unit")]
public sealed class FloatingIpRendererTests
{
    [Fact]
    public void Disabled_IgnoresIpNats_NoNatChains()
    {
        NftTable table = NftablesRenderer.Build(GoldenCases.FloatingIps(), new RenderConfig(), NatInputs.None);

        Assert.DoesNotContain(table.Chains, c => c.Name.StartsWith("nat-fip-", StringComparison.Ordinal));
        Assert.DoesNotContain(table.Chains, c => c.Header is { Type: NftChainType.Nat });
    }

    [Fact]
    public void Enabled_WithoutIpNats_NoNatChains()
    {
        NftTable table = NftablesRenderer.Build(GoldenCases.ProfileOnly(), new RenderConfig { FloatingIps = true }, NatInputs.None);

        Assert.DoesNotContain(table.Chains, c => c.Name.StartsWith("nat-fip-", StringComparison.Ordinal));
    }

    [Fact]
    public void Enabled_DnatsInPreroutingAndOutput_SnatOnlyTheLoopbackBeforeNatOutgoing()
    {
        NftTable table = NftablesRenderer.Build(GoldenCases.FloatingIps(), new RenderConfig { FloatingIps = true }, NatInputs.None);

        NftChain pre = Assert.Single(table.Chains, c => c.Name == "nat-fip-PREROUTING");
        NftChain output = Assert.Single(table.Chains, c => c.Name == "nat-fip-OUTPUT");
        NftChain post = Assert.Single(table.Chains, c => c.Name == "nat-fip-POSTROUTING");
        Assert.Equal((NftHook.Prerouting, -100), (pre.Header!.Hook, pre.Header.Priority.Value));
        Assert.Equal((NftHook.Output, -100), (output.Header!.Hook, output.Header.Priority.Value));
        Assert.InRange(post.Header!.Priority.Value, 101, 109);
        Assert.Equal(3, pre.Rules.Count);
        Assert.Equal(pre.Rules.Count, output.Rules.Count);
        Assert.Equal(2, post.Rules.Count);
    }
}
