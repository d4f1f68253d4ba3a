using System.Globalization;
using Calico.Goldmane.Api;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>
/// Goldmane's wire flow to whisker-backend's JSON and back for names (whisker-backend's protoconvert.go): the outside
/// ends <c>pub</c>/<c>pvt</c> read <c>PUBLIC NETWORK</c>/<c>PRIVATE NETWORK</c>, an empty namespace reads <c>Global</c>
/// in filter hints, labels are joined with <c>" | "</c>, times are RFC 3339.
/// </summary>
internal static class WhiskerFlowMapper
{
    public const string Global = "Global";
    public const string PublicNetwork = "PUBLIC NETWORK";
    public const string PrivateNetwork = "PRIVATE NETWORK";

    public static WhiskerFlow ToJson(Flow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var key = flow.Key ?? new FlowKey();
        return new WhiskerFlow
        {
            StartTime = Time(flow.StartTime),
            EndTime = Time(flow.EndTime),
            Action = WhiskerNames.Name(WhiskerNames.Actions, key.Action),
            SourceName = FromProtoName(key.SourceName),
            SourceNamespace = key.SourceNamespace,
            SourceLabels = string.Join(" | ", flow.SourceLabels),
            DestName = FromProtoName(key.DestName),
            DestNamespace = key.DestNamespace,
            DestLabels = string.Join(" | ", flow.DestLabels),
            Protocol = key.Proto,
            DestPort = key.DestPort,
            Reporter = WhiskerNames.Name(WhiskerNames.Reporters, key.Reporter),
            Policies = Trace(key.Policies),
            PacketsIn = flow.PacketsIn,
            PacketsOut = flow.PacketsOut,
            BytesIn = flow.BytesIn,
            BytesOut = flow.BytesOut,
        };
    }

    /// <summary>Unix seconds as Go writes <c>time.Unix(s, 0)</c> in UTC: <c>2025-01-02T03:04:05Z</c>.</summary>
    public static string Time(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string FromProtoName(string name) => name switch
    {
        "pub" => PublicNetwork,
        "pvt" => PrivateNetwork,
        _ => name,
    };

    public static string ToProtoName(string name) => name switch
    {
        PublicNetwork => "pub",
        PrivateNetwork => "pvt",
        _ => name,
    };

    public static string FromProtoNamespace(string ns) => ns is "" or "-" ? Global : ns;

    public static string ToProtoNamespace(string ns) => ns == Global ? "-" : ns;

    private static WhiskerPolicyTrace Trace(PolicyTrace? trace)
    {
        if (trace is null)
        {
            return new WhiskerPolicyTrace();
        }

        return new WhiskerPolicyTrace
        {
            Enforced = trace.EnforcedPolicies.Count == 0 ? null : [.. trace.EnforcedPolicies.Select(Hit)],
            Pending = trace.PendingPolicies.Count == 0 ? null : [.. trace.PendingPolicies.Select(Hit)],
        };
    }

    private static WhiskerPolicyHit Hit(PolicyHit hit) => new()
    {
        Kind = WhiskerNames.Name(WhiskerNames.PolicyKinds, hit.Kind),
        Name = hit.Name,
        Namespace = hit.Namespace,
        Tier = hit.Tier,
        Action = WhiskerNames.Name(WhiskerNames.Actions, hit.Action),
        PolicyIndex = hit.PolicyIndex,
        RuleIndex = hit.RuleIndex,
        Trigger = hit.Trigger is null ? null : Hit(hit.Trigger),
    };
}
