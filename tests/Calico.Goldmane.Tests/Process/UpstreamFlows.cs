using Calico.Goldmane.Tests.Upstream;

namespace Calico.Goldmane.Tests.Process;

/// <summary>Flows built with upstream's generated types.</summary>
internal static class UpstreamFlows
{
    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static Flow Make(string source, string dest, string destNamespace, long port, Calico.Goldmane.Tests.Upstream.Action action, long start, long packets = 10, string policy = "allow-web", PolicyHit? pending = null)
    {
        var trace = new PolicyTrace();
        trace.EnforcedPolicies.Add(new PolicyHit { Kind = PolicyKind.CalicoNetworkPolicy, Tier = "default", Namespace = destNamespace, Name = policy, Action = action, RuleIndex = 0 });
        if (pending is not null)
        {
            trace.PendingPolicies.Add(pending);
        }

        var flow = new Flow
        {
            Key = new FlowKey
            {
                SourceName = source,
                SourceNamespace = "default",
                SourceType = EndpointType.WorkloadEndpoint,
                DestName = dest,
                DestNamespace = destNamespace,
                DestType = EndpointType.WorkloadEndpoint,
                DestPort = port,
                Proto = "tcp",
                Reporter = Reporter.Dst,
                Action = action,
                Policies = trace,
            },
            StartTime = start,
            EndTime = start + 1,
            PacketsIn = packets,
            PacketsOut = packets,
            BytesIn = packets * 100,
            BytesOut = packets * 100,
            NumConnectionsStarted = 1,
        };
        flow.SourceLabels.Add("app=" + source.TrimEnd('-'));
        return flow;
    }
}
