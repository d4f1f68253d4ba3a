using System.Net;
using Calico.Goldmane.Api;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// One 2-host lab (flows on: the aggregator, flush every 15 s) for <see cref="FlowLogsLabTests"/>: x/a and x/b on
/// host1, x/c on host2, TCP sinks in the pods and in the outside namespace (which gets a second address,
/// 203.0.113.3, in the GlobalNetworkSet <c>outside-set</c>; 203.0.113.2 stays plain "pub" internet), a fabric route
/// to x/c so the outside can open connections to it, the policies below (staged ones included), and one batch of
/// known-size transfers, allowed and denied, whose flows are collected once (<see cref="Batch"/>) before any test
/// runs, so a test that restarts the aggregator cannot take them away from another.
/// </summary>
public sealed class FlowsLabFixture : IAsyncLifetime
{
    /// <summary>The bound: the lab's flowLogsFlushInterval (15 s) + 5 s.</summary>
    public static readonly TimeSpan Visible = TimeSpan.FromSeconds(LabFlows.FlushIntervalSeconds + 5);

    /// <summary>Each allowed transfer's payload.</summary>
    public const int TransferBytes = 1 << 20;

    public const string OutsidePub = "203.0.113.2";
    public const string OutsideSet = "203.0.113.3";

    /// <summary>
    /// Staged first, so calico-node has them before the enforced policies whose effect the fixture waits for.
    /// Rule indexes matter: the tests assert them.
    /// </summary>
    public const string Policies = """
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkSet
        metadata:
          name: outside-set
          labels:
            role: outside
        spec:
          nets: [203.0.113.3/32]
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedNetworkPolicy
        metadata:
          name: staged-deny-5004
          namespace: x
        spec:
          stagedAction: Set
          order: 10
          selector: app == 'c'
          types: [Ingress]
          ingress:
          - action: Deny
            protocol: TCP
            destination:
              ports: [5004]
        ---
        apiVersion: projectcalico.org/v3
        kind: StagedNetworkPolicy
        metadata:
          name: deny-5005
          namespace: x
        spec:
          stagedAction: Delete
        ---
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: deny-5005
          namespace: x
        spec:
          order: 5
          selector: app == 'c'
          types: [Ingress]
          ingress:
          - action: Deny
            protocol: TCP
            destination:
              ports: [5005]
        ---
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: a-egress
          namespace: x
        spec:
          order: 100
          selector: app == 'a'
          types: [Egress]
          egress:
          - action: Deny
            protocol: TCP
            destination:
              nets: [203.0.113.3/32]
              ports: [5021]
          - action: Allow
        ---
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: c-rules
          namespace: x
        spec:
          order: 100
          selector: app == 'c'
          types: [Ingress]
          ingress:
          - action: Allow
            protocol: TCP
            source:
              selector: app == 'a'
            destination:
              ports: [5002]
          - action: Deny
            protocol: TCP
            destination:
              ports: [5012]
          - action: Allow
            protocol: TCP
            source:
              nets: [203.0.113.2/32]
            destination:
              ports: [5003]
          - action: Deny
            protocol: TCP
            source:
              nets: [203.0.113.3/32]
            destination:
              ports: [5013]
          - action: Allow
            protocol: TCP
            destination:
              ports: [5004]
          - action: Deny
            protocol: UDP
            destination:
              ports: [9999]
          - action: Allow
            protocol: TCP
            destination:
              ports: [5005]
          - action: Allow
            protocol: TCP
            destination:
              ports: ["5100:5149"]
        ---
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
              ports: ["5100:5149"]
        """;

    /// <summary>Sink ports per namespace suffix (pods by name, <c>outside</c> by address).</summary>
    private static readonly int[] s_podSinks = [5001, 5002, 5003, 5004, 5005, 5011, 5012, 5013, 5100, 5120, 5121, 5150];

    public LabRunner Lab { get; } = new();

    public FlowTraffic Traffic { get; } = new();

    public LabLayout Layout => LabLayout.Create(Lab.Name, Lab.StateDir);

    /// <summary>What each transfer of the batch did: true = connected and sent <see cref="TransferBytes"/>.</summary>
    public Dictionary<string, bool> Sent { get; } = new(StringComparer.Ordinal);

    /// <summary>The batch's flows as the aggregator listed them once all were there, or when <see cref="Visible"/> ran out.</summary>
    public IReadOnlyList<Flow> Batch { get; private set; } = [];

    /// <summary>How long after the batch's last packet the listing held every expected record.</summary>
    public TimeSpan BatchLatency { get; private set; }

    public LabState State() => LabStateFile.Load(Layout);

    public LabPod Pod(string name) => State().Pods.Single(p => p.Name == name);

    public string PodNetns(string name) => LabLayout.NetnsPath(Pod(name).Netns);

    public IPEndPoint PodEndPoint(string name, int port) => new(IPAddress.Parse(Pod(name).Address), port);

    public string OutsideNetns => LabLayout.NetnsPath(Lab.Netns("outside"));

    public FlowsApi Api() => new(State().Flows?.Grpc ?? throw new InvalidOperationException("the lab runs without flows"));

    public async Task InitializeAsync()
    {
        IpTool.RequireRootTier();
        Prerequisites.Require("bird");
        await Lab.MustAsync("up", "--hosts", "2");
        await Lab.MustAsync("run", "host1", "x/a", "--labels", "app=a");
        await Lab.MustAsync("run", "host1", "x/b", "--labels", "app=b");
        await Lab.MustAsync("run", "host2", "x/c", "--labels", "app=c");

        // The outside: a second address (the network set's) and a route to x/c through host2, in lab namespaces only.
        IpTool.Run("-n", Lab.Netns("outside"), "addr", "add", OutsideSet + "/24", "dev", "eth0");
        IpTool.Run("-n", Lab.Netns("fabric"), "route", "add", Pod("c").Address + "/32", "via", State().Hosts.Single(h => h.Name == "host2").Address);

        foreach (var port in s_podSinks)
        {
            await Traffic.SinkAsync(PodNetns("b"), IPAddress.Any, port);
            await Traffic.SinkAsync(PodNetns("c"), IPAddress.Any, port);
        }

        await Traffic.SinkAsync(OutsideNetns, IPAddress.Any, 5020);
        await Traffic.SinkAsync(OutsideNetns, IPAddress.Any, 5021);

        await Lab.CalicoctlAsync(Policies, "apply", "-f", "-");

        // Converged when both hosts route and enforce: allowed on 5100 (a port no test asserts), denied on 5150.
        var converged = await LabRunner.EventuallyAsync(
            async () => await FlowTraffic.SendAsync(PodNetns("a"), PodEndPoint("c", 5100), 1)
                && await FlowTraffic.SendAsync(PodNetns("a"), PodEndPoint("b", 5100), 1)
                && !await FlowTraffic.SendAsync(PodNetns("a"), PodEndPoint("c", 5150), 1)
                && !await FlowTraffic.SendAsync(PodNetns("a"), PodEndPoint("b", 5150), 1),
            CrossHostFixture.Converge);
        Assert.True(converged, "the lab did not converge (routes between hosts, policy on both) within " + CrossHostFixture.Converge);

        await SendBatchAsync();
        using var api = Api();
        var start = DateTime.UtcNow;
        Batch = await api.PollAsync(HasEveryBatchRecord, start + Visible);
        BatchLatency = DateTime.UtcNow - start;
    }

    /// <summary>The batch (see the tests for what each should yield), all transfers in parallel.</summary>
    private async Task SendBatchAsync()
    {
        var a = PodNetns("a");
        var outside = OutsideNetns;
        var transfers = new (string Name, Task<bool> Task)[]
        {
            ("a->b:5001", FlowTraffic.SendAsync(a, PodEndPoint("b", 5001), TransferBytes)),
            ("a->b:5011", FlowTraffic.SendAsync(a, PodEndPoint("b", 5011), TransferBytes)),
            ("a->c:5002", FlowTraffic.SendAsync(a, PodEndPoint("c", 5002), TransferBytes)),
            ("a->c:5012", FlowTraffic.SendAsync(a, PodEndPoint("c", 5012), TransferBytes)),
            ("a->c:5004", FlowTraffic.SendAsync(a, PodEndPoint("c", 5004), TransferBytes)),
            ("a->c:5005", FlowTraffic.SendAsync(a, PodEndPoint("c", 5005), TransferBytes)),
            ("a->pub:5020", FlowTraffic.SendAsync(a, new IPEndPoint(IPAddress.Parse(OutsidePub), 5020), TransferBytes)),
            ("a->set:5021", FlowTraffic.SendAsync(a, new IPEndPoint(IPAddress.Parse(OutsideSet), 5021), TransferBytes)),
            ("pub->c:5003", FlowTraffic.SendAsync(outside, PodEndPoint("c", 5003), TransferBytes, IPAddress.Parse(OutsidePub))),
            ("set->c:5013", FlowTraffic.SendAsync(outside, PodEndPoint("c", 5013), TransferBytes, IPAddress.Parse(OutsideSet))),
        };
        await Task.WhenAll(transfers.Select(t => t.Task));
        foreach (var (name, task) in transfers)
        {
            Sent[name] = await task;
        }
    }

    /// <summary>Every (reporter, destination port) record the batch must yield, with full bytes for allowed transfers.</summary>
    private static bool HasEveryBatchRecord(IReadOnlyList<Flow> flows)
    {
        bool Has(Reporter reporter, long port, Func<Flow, bool> bytes) =>
            flows.Any(f => f.Key.Reporter == reporter && f.Key.DestPort == port && bytes(f));
        bool Full(long measured) => measured >= TransferBytes;
        return Has(Reporter.Dst, 5001, f => Full(f.BytesIn)) && Has(Reporter.Src, 5001, f => Full(f.BytesOut))
            && Has(Reporter.Dst, 5011, _ => true)
            && Has(Reporter.Dst, 5002, f => Full(f.BytesIn)) && Has(Reporter.Src, 5002, f => Full(f.BytesOut))
            && Has(Reporter.Dst, 5012, _ => true)
            && Has(Reporter.Dst, 5004, f => Full(f.BytesIn)) && Has(Reporter.Dst, 5005, _ => true)
            && Has(Reporter.Src, 5020, f => Full(f.BytesOut)) && Has(Reporter.Src, 5021, _ => true)
            && Has(Reporter.Dst, 5003, f => Full(f.BytesIn)) && Has(Reporter.Dst, 5013, _ => true);
    }

    public async Task DisposeAsync()
    {
        await Traffic.DisposeAsync();
        Lab.Dispose();
    }
}
