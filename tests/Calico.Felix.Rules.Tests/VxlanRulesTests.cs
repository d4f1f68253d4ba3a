using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>Unit tests: upstream's VXLAN NOTRACK rule (felix/rules/static.go) in raw-PREROUTING and raw-OUTPUT.</summary>
[Trait("Tier", "Unit")]
public sealed class VxlanRulesTests
{
    private const string NoTrackV4 = "meta nfproto ipv4 meta l4proto udp th dport 4789 counter notrack comment \"Do not track VXLAN tunnel packets\"";

    private static readonly NatInputs VxlanPool = new(["10.70.0.0/16"], []) { VxlanPoolCidrs = ["10.70.0.0/16"] };

    [Fact]
    public void VxlanPool_TunnelPacketsUntrackedBothWays_BeforeTheSourceCheck()
    {
        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig(), VxlanPool);

        Assert.Equal(NoTrackV4, Rules(table, "raw-PREROUTING")[0]);
        NftChain output = table.Chains.Single(c => c.Name == "raw-OUTPUT");
        Assert.Equal([NoTrackV4], output.Rules.Select(r => r.Text));
        Assert.NotNull(output.Header);
    }

    [Fact]
    public void BothFamilies_NoFamilyMatch_AndTheConfiguredPort()
    {
        var both = VxlanPool with { VxlanPoolCidrs = ["10.70.0.0/16", "fd00:70::/48"] };

        NftTable table = NftablesRenderer.Build(new DataplaneState(), new RenderConfig { VxlanPort = 8472 }, both);

        Assert.Equal("meta l4proto udp th dport 8472 counter notrack comment \"Do not track VXLAN tunnel packets\"", Rules(table, "raw-PREROUTING")[0]);
    }

    [Fact]
    public void WithHostEndpoints_RawOutputClearsMarksThenUntracksVxlan()
    {
        var state = new DataplaneState();
        state.Apply(new EndpointUpdate(StateBuilder.HostEndpoint("eth0", [])));

        NftTable table = NftablesRenderer.Build(state, new RenderConfig(), VxlanPool);

        List<string> output = Rules(table, "raw-OUTPUT");
        Assert.StartsWith("counter meta mark set", output[0], StringComparison.Ordinal);
        Assert.Equal(NoTrackV4, output[1]);
        List<string> prerouting = Rules(table, "raw-PREROUTING");
        Assert.Equal(NoTrackV4, prerouting[1]);
    }

    [Fact]
    public void NoVxlanPool_NoRule_UnlessFelixConfigurationForcesIt()
    {
        var noVxlan = new NatInputs(["10.66.0.0/16"], []);

        NftTable off = NftablesRenderer.Build(new DataplaneState(), new RenderConfig(), noVxlan);
        NftTable forcedOff = NftablesRenderer.Build(new DataplaneState(), new RenderConfig { VxlanEnabled = false }, VxlanPool);
        NftTable forcedOn = NftablesRenderer.Build(new DataplaneState(), new RenderConfig { VxlanEnabled = true }, noVxlan);

        Assert.DoesNotContain(Rules(off, "raw-PREROUTING"), r => r.Contains("notrack", StringComparison.Ordinal));
        Assert.DoesNotContain(off.Chains, c => c.Name == "raw-OUTPUT");
        Assert.DoesNotContain(forcedOff.Chains, c => c.Name == "raw-OUTPUT");
        Assert.Equal(NoTrackV4, Rules(forcedOn, "raw-PREROUTING")[0]);
    }

    private static List<string> Rules(NftTable table, string chain) => table.Chains.Single(c => c.Name == chain).Rules.Select(r => r.Text).ToList();
}
