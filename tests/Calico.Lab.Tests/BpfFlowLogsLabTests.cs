using System.Net;
using Calico.Goldmane.Api;
using Calico.Lab.Cluster;
using Calico.TestKit;
using FlowAction = Calico.Goldmane.Api.Action;

namespace Calico.Lab.Tests;

/// <summary>One host on the eBPF dataplane with flows on (the lab's aggregator), pods x/a and x/b, for <see cref="BpfFlowLogsLabTests"/>.</summary>
public sealed class BpfFlowsLabFixture : IAsyncLifetime
{
    public const string Policy = """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: allow-b
          namespace: x
        spec:
          order: 100
          selector: app == 'b'
          types: [Ingress]
          ingress:
          - action: Allow
            protocol: TCP
            destination:
              ports: [5001]
          - action: Deny
            protocol: TCP
            destination:
              ports: [5011]
          - action: Allow
            protocol: TCP
            destination:
              ports: [5100]
        """;

    public LabRunner Lab { get; } = new();

    public FlowTraffic Traffic { get; } = new();

    public LabLayout Layout => LabLayout.Create(Lab.Name, Lab.StateDir);

    public LabPod Pod(string name) => LabStateFile.Load(Layout).Pods.Single(p => p.Name == name);

    public string PodNetns(string name) => LabLayout.NetnsPath(Pod(name).Netns);

    public IPEndPoint PodEndPoint(string name, int port) => new(IPAddress.Parse(Pod(name).Address), port);

    public FlowsApi Api() => new(LabStateFile.Load(Layout).Flows?.Grpc ?? throw new InvalidOperationException("the lab runs without flows"));

    public async Task InitializeAsync()
    {
        IpTool.RequireRootTier();
        Prerequisites.Require("bird");
        await Lab.MustAsync("up", "--dataplane", "bpf");
        await Lab.MustAsync("run", "host1", "x/a", "--labels", "app=a");
        await Lab.MustAsync("run", "host1", "x/b", "--labels", "app=b");
        foreach (int port in new[] { 5001, 5011, 5100 })
        {
            await Traffic.SinkAsync(PodNetns("b"), IPAddress.Any, port);
        }

        await Lab.CalicoctlAsync(Policy, "apply", "-f", "-");
        bool converged = await LabRunner.EventuallyAsync(
            async () => await FlowTraffic.SendAsync(PodNetns("a"), PodEndPoint("b", 5100), 1) && !await FlowTraffic.SendAsync(PodNetns("a"), PodEndPoint("b", 5011), 1),
            CrossHostFixture.Converge);
        Assert.True(converged, "the BPF-mode lab did not enforce allow-b within " + CrossHostFixture.Converge);
    }

    public async Task DisposeAsync()
    {
        await Traffic.DisposeAsync();
        Lab.Dispose();
    }
}

/// <summary>
/// Root tier, flow logs with <c>bpfEnabled</c> end to end: calico-node reads the programs' verdict events and per-flow
/// counters and reports to the lab's aggregator, queried with upstream's generated client. Pod to pod on one host is
/// untracked by the kernel and handed peer to peer, so nothing but the programs sees these flows.
/// </summary>
[Trait("Tier", "Root")]
public sealed class BpfFlowLogsLabTests(BpfFlowsLabFixture fixture) : IClassFixture<BpfFlowsLabFixture>
{
    private const int TransferBytes = 1 << 20;

    [Fact]
    public async Task BpfMode_AllowedFlowWithItsBytes_AndADeniedFlow_ReachTheAggregatorWithTheirRules()
    {
        Assert.True(await FlowTraffic.SendAsync(fixture.PodNetns("a"), fixture.PodEndPoint("b", 5001), TransferBytes), "a -> b:5001 should connect");
        Assert.False(await FlowTraffic.SendAsync(fixture.PodNetns("a"), fixture.PodEndPoint("b", 5011), 1), "a -> b:5011 should be denied");

        // The programs are in force, with their flow-log ring pinned in the host's bpffs (not nftables' NFLOG).
        LabHost host = LabStateFile.Load(fixture.Layout).Hosts.Single(h => h.Name == "host1");
        Assert.False(string.IsNullOrEmpty(host.BpfRoot), "host1 runs the eBPF dataplane");
        Assert.True(File.Exists(Path.Combine(host.BpfRoot!, "cali_flowlog")), "cali_flowlog is pinned under " + host.BpfRoot);

        using var api = fixture.Api();
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(LabFlows.FlushIntervalSeconds * 3);
        IReadOnlyList<Flow> flows = await api.PollAsync(
            f => f.Any(x => x.Key.Reporter == Reporter.Dst && x.Key.DestPort == 5001 && x.BytesIn >= TransferBytes)
                && f.Any(x => x.Key.Reporter == Reporter.Dst && x.Key.DestPort == 5011 && x.Key.Action == FlowAction.Deny),
            deadline);
        string all = FlowsApi.Describe(flows);

        Flow allowed = flows.First(x => x.Key.Reporter == Reporter.Dst && x.Key.DestPort == 5001);
        Assert.Equal(FlowAction.Allow, allowed.Key.Action);
        Assert.True(allowed.BytesIn >= TransferBytes, "the allowed flow's bytes in (destination side):\n" + all);
        Assert.Equal(("a", "b"), (allowed.Key.SourceName, allowed.Key.DestName));
        Assert.Contains(allowed.Key.Policies.EnforcedPolicies, h => h.Name.EndsWith("allow-b", StringComparison.Ordinal) && h.RuleIndex == 0 && h.Action == FlowAction.Allow);
        Assert.Contains(flows, x => x.Key.Reporter == Reporter.Src && x.Key.DestPort == 5001 && x.BytesOut >= TransferBytes);

        // The fixture's convergence check may have reached b:5011 before allow-b was in force (an allowed flow then): the
        // denied flow is its own record, by its action.
        Flow? denied = flows.FirstOrDefault(x => x.Key.Reporter == Reporter.Dst && x.Key.DestPort == 5011 && x.Key.Action == FlowAction.Deny);
        Assert.True(denied is not null, "a denied record for b:5011:\n" + all);
        Assert.True(denied.PacketsIn > 0, "the denied SYNs are counted:\n" + all);
        Assert.Contains(denied.Key.Policies.EnforcedPolicies, h => h.Name.EndsWith("allow-b", StringComparison.Ordinal) && h.RuleIndex == 1 && h.Action == FlowAction.Deny);
    }
}
