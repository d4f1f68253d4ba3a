using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>The table in BPF mode (<see cref="RenderConfig.WorkloadPolicyInBpf"/>): workload policy is the programs', the rest stays.</summary>
[Trait("Tier", "Unit")]
public sealed class BpfModeRenderTests
{
    [Fact]
    public void BpfMode_RendersNoEndpointChainsOrDispatchEntries_AndMarksWhatThePrograms_Allowed()
    {
        DataplaneState state = GoldenCases.TiersAndRules();
        Assert.NotEmpty(state.Endpoints);
        string nft = NftablesRenderer.Render(state, new RenderConfig());
        string bpf = NftablesRenderer.Render(state, new RenderConfig { WorkloadPolicyInBpf = true });

        Assert.Contains("chain cali-fw-", nft, StringComparison.Ordinal);
        Assert.DoesNotContain("chain cali-fw-", bpf, StringComparison.Ordinal);
        Assert.DoesNotContain("chain cali-tw-", bpf, StringComparison.Ordinal);
        Assert.DoesNotContain("Unknown interface", bpf, StringComparison.Ordinal);
        Assert.Contains("Workload policy enforced by the eBPF programs", bpf, StringComparison.Ordinal);

        // Policy and profile chains only host endpoints could jump to: none here.
        Assert.DoesNotContain(state.Endpoints.Keys, k => k.IsHostEndpoint);
        Assert.Contains(state.Policies.Keys, key => nft.Contains("chain " + NftablesRenderer.PolicyChainName(key, inbound: true) + " ", StringComparison.Ordinal));
        foreach (PolicyKey key in state.Policies.Keys)
        {
            Assert.DoesNotContain("chain " + NftablesRenderer.PolicyChainName(key, inbound: true) + " ", bpf, StringComparison.Ordinal);
        }

        // Nor the IP sets only workload policies read.
        Assert.NotEmpty(state.IpSets);
        foreach (string id in state.IpSets.Keys)
        {
            Assert.DoesNotContain("set " + NftNames.IpSet(id, 4) + " ", bpf, StringComparison.Ordinal);
        }

        // The raw table's source check stays: it holds whatever the programs let through to the stack.
        Assert.Contains("Drop spoofed source", bpf, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EndpointToHostAction.Drop, "accept")]
    [InlineData(EndpointToHostAction.Accept, "accept")]
    [InlineData(EndpointToHostAction.Return, "return")]
    public void BpfMode_WorkloadToHost_LetsInWhatTheProgramLetIn(EndpointToHostAction configured, string verdict)
    {
        string bpf = NftablesRenderer.Render(GoldenCases.TiersAndRules(), new RenderConfig { WorkloadPolicyInBpf = true, DefaultEndpointToHostAction = configured });

        string line = bpf.Split('\n').Single(l => l.Contains("Configured DefaultEndpointToHostAction", StringComparison.Ordinal));
        Assert.Contains(verdict, line, StringComparison.Ordinal);
    }
}
