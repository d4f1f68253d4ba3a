using Calico.Goldmane.Api;
using FlowAction = Calico.Goldmane.Api.Action;

namespace Calico.Goldmane.Tests.Store;

/// <summary>Builds wire flows for the store tests.</summary>
internal static class TestFlows
{
    public static Flow Make(
        string source = "client-",
        string sourceNamespace = "default",
        string dest = "server-",
        string destNamespace = "default",
        long port = 80,
        FlowAction action = FlowAction.Allow,
        Reporter reporter = Reporter.Dst,
        long start = 0,
        long end = 0,
        long packets = 10,
        long bytes = 1000,
        string proto = "tcp",
        PolicyHit[]? enforced = null,
        PolicyHit[]? pending = null,
        string[]? sourceLabels = null,
        EndpointType destType = EndpointType.WorkloadEndpoint)
    {
        var trace = new PolicyTrace();
        trace.EnforcedPolicies.AddRange(enforced ?? [Hit("default", "allow-web", action)]);
        trace.PendingPolicies.AddRange(pending ?? []);
        var flow = new Flow
        {
            Key = new FlowKey
            {
                SourceName = source,
                SourceNamespace = sourceNamespace,
                SourceType = EndpointType.WorkloadEndpoint,
                DestName = dest,
                DestNamespace = destNamespace,
                DestType = destType,
                DestPort = port,
                Proto = proto,
                Reporter = reporter,
                Action = action,
                Policies = trace,
            },
            StartTime = start,
            EndTime = end == 0 ? start + 15 : end,
            PacketsIn = packets,
            PacketsOut = packets,
            BytesIn = bytes,
            BytesOut = bytes,
            NumConnectionsStarted = 1,
            NumConnectionsLive = 1,
        };
        flow.SourceLabels.AddRange(sourceLabels ?? ["app=client"]);
        flow.DestLabels.Add("app=server");
        return flow;
    }

    public static PolicyHit Hit(string tier, string name, FlowAction action, PolicyKind kind = PolicyKind.CalicoNetworkPolicy, string ns = "default", long rule = 0, PolicyHit? trigger = null) => new()
    {
        Tier = tier,
        Name = name,
        Namespace = ns,
        Kind = kind,
        Action = action,
        RuleIndex = rule,
        Trigger = trigger,
    };
}
