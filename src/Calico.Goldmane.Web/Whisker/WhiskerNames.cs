using Calico.Goldmane.Api;
using GmAction = Calico.Goldmane.Api.Action;
using MatchType = Calico.Goldmane.Api.MatchType;

namespace Calico.Goldmane.Web.Whisker;

/// <summary>
/// The enum spellings whisker-backend puts in its JSON and accepts in its query: upstream's proto value names
/// (Go's generated <c>String()</c>), e.g. <c>ActionUnspecified</c> where the C# code generator shortens to
/// <c>Unspecified</c>. Written out by hand so nothing depends on reflection.
/// </summary>
internal static class WhiskerNames
{
    public static readonly IReadOnlyList<(GmAction Value, string Name)> Actions =
    [
        (GmAction.Unspecified, "ActionUnspecified"), (GmAction.Allow, "Allow"), (GmAction.Deny, "Deny"), (GmAction.Pass, "Pass"),
    ];

    public static readonly IReadOnlyList<(Reporter Value, string Name)> Reporters =
    [
        (Reporter.Unspecified, "ReporterUnspecified"), (Reporter.Src, "Src"), (Reporter.Dst, "Dst"),
    ];

    public static readonly IReadOnlyList<(MatchType Value, string Name)> MatchTypes =
    [
        (MatchType.Exact, "Exact"), (MatchType.Fuzzy, "Fuzzy"),
    ];

    public static readonly IReadOnlyList<(PolicyKind Value, string Name)> PolicyKinds =
    [
        (PolicyKind.KindUnspecified, "KindUnspecified"),
        (PolicyKind.CalicoNetworkPolicy, "CalicoNetworkPolicy"),
        (PolicyKind.GlobalNetworkPolicy, "GlobalNetworkPolicy"),
        (PolicyKind.StagedNetworkPolicy, "StagedNetworkPolicy"),
        (PolicyKind.StagedGlobalNetworkPolicy, "StagedGlobalNetworkPolicy"),
        (PolicyKind.StagedKubernetesNetworkPolicy, "StagedKubernetesNetworkPolicy"),
        (PolicyKind.NetworkPolicy, "NetworkPolicy"),
        (PolicyKind.ClusterNetworkPolicy, "ClusterNetworkPolicy"),
        (PolicyKind.Profile, "Profile"),
        (PolicyKind.EndOfTier, "EndOfTier"),
    ];

    public static readonly IReadOnlyList<(SortBy Value, string Name)> SortBys =
    [
        (SortBy.Time, "Time"), (SortBy.DestName, "DestName"), (SortBy.DestNamespace, "DestNamespace"), (SortBy.DestType, "DestType"),
        (SortBy.SourceName, "SourceName"), (SortBy.SourceNamespace, "SourceNamespace"), (SortBy.SourceType, "SourceType"),
    ];

    /// <summary>The hint types as the <c>type</c> query parameter spells them: the proto name without <c>FilterType</c>.</summary>
    public static readonly IReadOnlyList<(FilterType Value, string Name)> FilterTypes =
    [
        (FilterType.Unspecified, "Unspecified"), (FilterType.DestName, "DestName"), (FilterType.SourceName, "SourceName"),
        (FilterType.DestNamespace, "DestNamespace"), (FilterType.SourceNamespace, "SourceNamespace"),
        (FilterType.PolicyTier, "PolicyTier"), (FilterType.PolicyName, "PolicyName"), (FilterType.PolicyKind, "PolicyKind"),
        (FilterType.PolicyNamespace, "PolicyNamespace"),
    ];

    public static string Name<T>(IReadOnlyList<(T Value, string Name)> table, T value)
        where T : struct, Enum
    {
        foreach (var (v, name) in table)
        {
            if (EqualityComparer<T>.Default.Equals(v, value))
            {
                return name;
            }
        }

        // Go prints an enum value it has no name for as its number.
        return Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static bool TryParse<T>(IReadOnlyList<(T Value, string Name)> table, string? name, out T value)
        where T : struct, Enum
    {
        foreach (var (v, n) in table)
        {
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static string Allowed<T>(IReadOnlyList<(T Value, string Name)> table)
        where T : struct, Enum => string.Join(", ", table.Select(e => e.Name));
}
