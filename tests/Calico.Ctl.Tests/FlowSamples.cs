using Calico.Goldmane.Api;
using GmAction = Calico.Goldmane.Api.Action;

namespace Calico.Ctl.Tests;

/// <summary>Known Goldmane flows for calicoctl flows: allowed, denied, and allowed but denied by a staged policy.</summary>
internal static class FlowSamples
{
    public const long Base = 1_767_225_600; // 2026-01-01T00:00:00Z

    public static PolicyHit Hit(PolicyKind kind, string tier, string ns, string name, GmAction action, long ruleIndex) =>
        new() { Kind = kind, Tier = tier, Namespace = ns, Name = name, Action = action, RuleIndex = ruleIndex };

    public static Flow Make(long start, string srcNs, string srcName, string dstNs, string dstName, long port, GmAction action,
        PolicyHit[] enforced, PolicyHit[]? pending = null)
    {
        var trace = new PolicyTrace();
        trace.EnforcedPolicies.AddRange(enforced);
        trace.PendingPolicies.AddRange(pending ?? enforced.Select(h => h.Clone()));
        var flow = new Flow
        {
            Key = new FlowKey
            {
                SourceNamespace = srcNs, SourceName = srcName, SourceType = EndpointType.WorkloadEndpoint,
                DestNamespace = dstNs, DestName = dstName, DestType = EndpointType.WorkloadEndpoint,
                DestPort = port, Proto = "tcp", Reporter = Reporter.Dst, Action = action, Policies = trace,
            },
            StartTime = start, EndTime = start + 15, PacketsIn = 10, PacketsOut = 8, BytesIn = 1200, BytesOut = 900,
        };
        flow.SourceLabels.Add("app=" + srcName);
        flow.DestLabels.Add("app=" + dstName);
        return flow;
    }

    public static Flow Allowed => Make(Base, "frontend", "web", "backend", "api", 8080, GmAction.Allow,
        [Hit(PolicyKind.CalicoNetworkPolicy, "default", "backend", "allow-web", GmAction.Allow, 0)]);

    public static Flow Denied => Make(Base + 15, "frontend", "web", "db", "postgres", 5432, GmAction.Deny,
        [Hit(PolicyKind.GlobalNetworkPolicy, "security", "", "deny-db", GmAction.Deny, 1)]);

    public static Flow StagedDeny => Make(Base + 30, "tools", "curl", "backend", "api", 8080, GmAction.Allow,
        [Hit(PolicyKind.CalicoNetworkPolicy, "default", "backend", "allow-web", GmAction.Allow, 2)],
        [Hit(PolicyKind.StagedNetworkPolicy, "default", "backend", "lockdown", GmAction.Deny, 0)]);

    public static IReadOnlyList<Flow> All => [Allowed, Denied, StagedDeny];
}
