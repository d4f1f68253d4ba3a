using Calico.Goldmane.Api;
using GmAction = Calico.Goldmane.Api.Action;

namespace Calico.Goldmane.Web.Tests;

/// <summary>Known flows: allowed, denied, allowed but denied by a staged policy, and from the public network.</summary>
internal static class SampleFlows
{
    public const long Base = 1_767_225_600; // 2026-01-01T00:00:00Z

    public static PolicyHit Hit(PolicyKind kind, string tier, string ns, string name, GmAction action, long policyIndex, long ruleIndex) => new()
    {
        Kind = kind,
        Tier = tier,
        Namespace = ns,
        Name = name,
        Action = action,
        PolicyIndex = policyIndex,
        RuleIndex = ruleIndex,
    };

    public static Flow Make(
        long start, string srcNs, string srcName, string dstNs, string dstName, long port, GmAction action,
        IEnumerable<PolicyHit> enforced, IEnumerable<PolicyHit>? pending = null, EndpointType sourceType = EndpointType.WorkloadEndpoint)
    {
        var trace = new PolicyTrace();
        trace.EnforcedPolicies.AddRange(enforced);
        trace.PendingPolicies.AddRange(pending ?? trace.EnforcedPolicies.Select(h => h.Clone()));
        var flow = new Flow
        {
            Key = new FlowKey
            {
                SourceNamespace = srcNs,
                SourceName = srcName,
                SourceType = sourceType,
                DestNamespace = dstNs,
                DestName = dstName,
                DestType = EndpointType.WorkloadEndpoint,
                DestPort = port,
                Proto = "tcp",
                Reporter = Reporter.Dst,
                Action = action,
                Policies = trace,
            },
            StartTime = start,
            EndTime = start + 15,
            PacketsIn = 10,
            PacketsOut = 8,
            BytesIn = 1200,
            BytesOut = 900,
        };
        flow.SourceLabels.Add("app=" + srcName);
        flow.DestLabels.Add("app=" + dstName);
        flow.DestLabels.Add("tier=" + dstNs);
        return flow;
    }

    public static Flow Allowed => Make(Base, "frontend", "web", "backend", "api", 8080, GmAction.Allow,
        [Hit(PolicyKind.CalicoNetworkPolicy, "default", "backend", "allow-web", GmAction.Allow, 0, 0)]);

    public static Flow Denied => Make(Base + 15, "frontend", "web", "db", "postgres", 5432, GmAction.Deny,
        [Hit(PolicyKind.GlobalNetworkPolicy, "security", "", "deny-db", GmAction.Deny, 0, 1)]);

    /// <summary>Allowed now; the staged policy <c>backend/lockdown</c> would deny it.</summary>
    public static Flow StagedDeny => Make(Base + 30, "tools", "curl", "backend", "api", 8080, GmAction.Allow,
        [Hit(PolicyKind.CalicoNetworkPolicy, "default", "backend", "allow-web", GmAction.Allow, 0, 2)],
        [Hit(PolicyKind.StagedNetworkPolicy, "default", "backend", "lockdown", GmAction.Deny, 0, 0)]);

    public static Flow FromInternet => Make(Base + 45, "", "pub", "frontend", "web", 443, GmAction.Allow,
        [Hit(PolicyKind.GlobalNetworkPolicy, "default", "", "allow-https", GmAction.Allow, 0, 0)], sourceType: EndpointType.Network);

    public static IReadOnlyList<Flow> All => [Allowed, Denied, StagedDeny, FromInternet];
}
