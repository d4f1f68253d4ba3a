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
    [InlineData(EndpointToHostAction.Drop, "drop")]
    [InlineData(EndpointToHostAction.Accept, "accept")]
    [InlineData(EndpointToHostAction.Return, "return")]
    public void BpfMode_WorkloadToHost_AppliesDefaultEndpointToHostAction_AfterTheProgramsEgressPolicy(EndpointToHostAction configured, string verdict)
    {
        string bpf = NftablesRenderer.Render(GoldenCases.TiersAndRules(), new RenderConfig { WorkloadPolicyInBpf = true, DefaultEndpointToHostAction = configured });

        string line = bpf.Split('\n').Single(l => l.Contains("Configured DefaultEndpointToHostAction", StringComparison.Ordinal));
        Assert.Contains(verdict, line, StringComparison.Ordinal);
    }

    private static readonly NatInputs Pools = new(["10.0.0.0/16", "fd00:10::/64"], ["10.0.0.0/16"]);

    [Fact]
    public void BpfMode_LeavesWorkloadToWorkloadTrafficUntracked_ForTheProgramsConntrack()
    {
        string bpf = NftablesRenderer.Build(GoldenCases.TiersAndRules(), new RenderConfig { WorkloadPolicyInBpf = true }, Pools).ToFullTransaction();
        string[] noTrack = RawPreroutingLines(bpf).Where(static l => l.Contains("notrack", StringComparison.Ordinal)).ToArray();
        Assert.Equal(5, noTrack.Length);
        Assert.Contains(noTrack, l => l.Contains("iifname \"cali*\" ip daddr @cali40all-ipam-pools", StringComparison.Ordinal));
        Assert.Contains(noTrack, l => l.Contains("iifname != \"cali*\" ip saddr @cali40all-ipam-pools ip daddr @cali40all-ipam-pools", StringComparison.Ordinal));
        Assert.Contains(noTrack, l => l.Contains("ip6 daddr @cali60all-ipam-pools", StringComparison.Ordinal));

        // Replies of connections the kernel DNATs (marked by the program) stay tracked; the mark comes from the table
        // itself on the connection's packets towards the workload, in forward and output.
        List<string> rawChain = RawPreroutingLines(bpf);
        Assert.True(rawChain.FindIndex(static l => l.Contains("Reply of a connection the kernel NATs", StringComparison.Ordinal)) < rawChain.FindIndex(static l => l.Contains("notrack", StringComparison.Ordinal)));
        Assert.Contains(rawChain, static l => l.Contains("meta mark & 0x00040000 == 0x00040000 counter return", StringComparison.Ordinal));
        Assert.Equal(2, bpf.Split('\n').Count(static l => l.Contains("ct status dnat counter meta mark set meta mark | 0x00040000", StringComparison.Ordinal)));

        // NAT outgoing in BPF: a flow the programs NATed is untracked (after the kernel-NAT return), and the NAT chain
        // leaves a packet marked for the programs to them unless the kernel DNATed its connection.
        int bpfNat = rawChain.FindIndex(static l => l.Contains("meta mark & 0x00100000 == 0x00100000 counter notrack", StringComparison.Ordinal));
        Assert.True(bpfNat > rawChain.FindIndex(static l => l.Contains("Reply of a connection the kernel NATs", StringComparison.Ordinal)), string.Join("\n", rawChain));
        string natChain = bpf[bpf.IndexOf("chain nat-POSTROUTING {", StringComparison.Ordinal)..];
        int natReturn = natChain.IndexOf("meta mark & 0x000c0000 == 0x00080000 counter return", StringComparison.Ordinal);
        Assert.True(natReturn >= 0 && natReturn < natChain.IndexOf("masquerade", StringComparison.Ordinal), natChain);
        Assert.DoesNotContain("0x000c0000", NftablesRenderer.Build(GoldenCases.TiersAndRules(), new RenderConfig(), Pools).ToFullTransaction(), StringComparison.Ordinal);
        Assert.DoesNotContain("0x000c0000", NftablesRenderer.Build(HostEndpointsPolicingForwardedTraffic(), new RenderConfig { WorkloadPolicyInBpf = true }, Pools).ToFullTransaction(), StringComparison.Ordinal);

        // Only after the source check: a spoofed packet is dropped, never untracked.
        List<string> raw = RawPreroutingLines(bpf);
        Assert.True(raw.FindLastIndex(static l => l.Contains("Drop spoofed source", StringComparison.Ordinal)) < raw.FindIndex(static l => l.Contains("notrack", StringComparison.Ordinal)));

        // Not in the nftables dataplane, not without pools, not while a host endpoint's policy applies to forwarded
        // traffic (stateful, crossed by pod traffic).
        Assert.DoesNotContain("notrack", NftablesRenderer.Build(GoldenCases.TiersAndRules(), new RenderConfig(), Pools).ToFullTransaction(), StringComparison.Ordinal);
        Assert.DoesNotContain("notrack", NftablesRenderer.Build(GoldenCases.TiersAndRules(), new RenderConfig { WorkloadPolicyInBpf = true }, NatInputs.None).ToFullTransaction(), StringComparison.Ordinal);
        Assert.DoesNotContain("Workload to workload", NftablesRenderer.Build(HostEndpointsPolicingForwardedTraffic(), new RenderConfig { WorkloadPolicyInBpf = true }, Pools).ToFullTransaction(), StringComparison.Ordinal);
        Assert.DoesNotContain("fib daddr type", bpf, StringComparison.Ordinal); // no host endpoint: traffic to the host's pool addresses untracked as before
    }

    /// <summary>
    /// Host endpoints whose policy polices only the host (normal policy, a profile, none: GoldenCases.HostEndpoints)
    /// leave pod-to-pod traffic untracked and NAT outgoing to the programs, as without host endpoints; only traffic to
    /// the host's own addresses stays tracked, for the host endpoints' stateful INPUT policy.
    /// </summary>
    [Fact]
    public void BpfMode_HostEndpointsPolicingTheHostAlone_KeepPodTrafficUntracked_ButNotTrafficToTheHost()
    {
        string bpf = NftablesRenderer.Build(GoldenCases.HostEndpoints(), new RenderConfig { WorkloadPolicyInBpf = true }, Pools).ToFullTransaction();
        List<string> raw = RawPreroutingLines(bpf);
        List<string> untracked = raw.FindAll(static l => l.Contains("Workload to workload", StringComparison.Ordinal));
        Assert.Equal(4, untracked.Count); // from a local workload, from a remote one; each family
        Assert.All(untracked, static l => Assert.Contains("fib daddr type != local counter notrack", l, StringComparison.Ordinal));
        Assert.Contains("meta mark & 0x000c0000 == 0x00080000 counter return", bpf, StringComparison.Ordinal);
        Assert.True(HostEndpointForwarding.AnyPolicesForwardedTraffic(HostEndpointsPolicingForwardedTraffic()));
        Assert.False(HostEndpointForwarding.AnyPolicesForwardedTraffic(GoldenCases.HostEndpoints()));

        // What the log names when the fast paths go off: the endpoint and the kind of its policy.
        Assert.Null(HostEndpointForwarding.FirstPolicingForwardedTraffic(GoldenCases.HostEndpoints()));
        var (endpoint, kind) = HostEndpointForwarding.FirstPolicingForwardedTraffic(HostEndpointsPolicingForwardedTraffic())!.Value;
        Assert.Equal(new EndpointKey(true, null, "node1-eth2"), endpoint);
        Assert.Equal("applyOnForward", kind);
    }

    /// <summary>GoldenCases.HostEndpoints plus one whose applyOnForward policy reaches forwarded traffic.</summary>
    private static DataplaneState HostEndpointsPolicingForwardedTraffic()
    {
        DataplaneState state = GoldenCases.HostEndpoints();
        var forward = new TierIntent("default", RuleAction.Deny, [GoldenCases.DenyAllPolicy], []);
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(true, null, "node1-eth2"), "eth2", [], [], [], []) { ForwardTiers = [forward] }));
        return state;
    }

    [Fact]
    public void BpfMode_FloatingIpTraffic_StaysTrackedForItsNat()
    {
        string bpf = NftablesRenderer.Build(GoldenCases.FloatingIps(), new RenderConfig { WorkloadPolicyInBpf = true, FloatingIps = true }, Pools).ToFullTransaction();
        List<string> raw = RawPreroutingLines(bpf);
        int firstReturn = raw.FindIndex(static l => l.Contains("Floating IP: tracked for its NAT", StringComparison.Ordinal));
        Assert.True(firstReturn >= 0, string.Join("\n", raw));
        Assert.True(firstReturn < raw.FindIndex(static l => l.Contains("notrack", StringComparison.Ordinal)));
    }

    private static List<string> RawPreroutingLines(string transaction)
    {
        string[] lines = transaction.Split('\n');
        int start = Array.FindIndex(lines, static l => l.Contains("chain raw-PREROUTING", StringComparison.Ordinal) && l.TrimEnd().EndsWith('{'));
        Assert.True(start >= 0, transaction);
        var chain = new List<string>();
        for (int i = start + 1; i < lines.Length && lines[i].Trim() != "}"; i++)
        {
            chain.Add(lines[i]);
        }

        return chain;
    }
}
