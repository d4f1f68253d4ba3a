using Calico.Goldmane.Api;
using MatchType = Calico.Goldmane.Api.MatchType;

namespace Calico.Goldmane.Store;

/// <summary>
/// Upstream's filter semantics (goldmane/pkg/types/filters.go): each repeated field is an OR of its entries, the
/// fields are ANDed, an empty field matches everything; Exact is equality, Fuzzy a substring; "pub"/"pvt" names
/// also match "PUBLIC NETWORK"/"PRIVATE NETWORK" and namespace "Global" also "-"; policies match a hit in the
/// enforced or the pending trace; pending_actions match any pending hit's action.
/// </summary>
public static class FlowFilter
{
    public static bool Matches(Filter? filter, FlowKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (filter is null)
        {
            return true;
        }

        return AnyString(filter.SourceNames, Names(key.SourceName))
            && AnyString(filter.DestNames, Names(key.DestName))
            && AnyString(filter.SourceNamespaces, Namespaces(key.SourceNamespace))
            && AnyString(filter.DestNamespaces, Namespaces(key.DestNamespace))
            && AnyString(filter.Protocols, [key.Proto])
            && (filter.Actions.Count == 0 || filter.Actions.Contains(key.Action))
            && PendingActionMatches(filter, key)
            && (filter.Reporter == Reporter.Unspecified || filter.Reporter == key.Reporter)
            && (filter.DestPorts.Count == 0 || filter.DestPorts.Any(p => p.Port == key.DestPort))
            && PoliciesMatch(filter, key);
    }

    /// <summary>One policy match against one hit (kind and action only when set; strings per <see cref="StringMatches"/>).</summary>
    public static bool PolicyMatches(PolicyMatch match, PolicyHit hit)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(hit);
        return StringMatches(match.Name, hit.Name)
            && (match.Kind == PolicyKind.KindUnspecified || match.Kind == hit.Kind)
            && StringMatches(match.Namespace, hit.Namespace)
            && StringMatches(match.Tier, hit.Tier)
            && (match.Action == Api.Action.Unspecified || match.Action == hit.Action);
    }

    /// <summary>An unset or empty match accepts anything.</summary>
    public static bool StringMatches(StringMatch? match, string value) =>
        match is null || match.Value.Length == 0 || (match.Type == MatchType.Exact
            ? string.Equals(value, match.Value, StringComparison.Ordinal)
            : value.Contains(match.Value, StringComparison.Ordinal));

    private static bool PendingActionMatches(Filter filter, FlowKey key) =>
        filter.PendingActions.Count == 0
        || (key.Policies is { } trace && trace.PendingPolicies.Any(hit => filter.PendingActions.Contains(hit.Action)));

    private static bool PoliciesMatch(Filter filter, FlowKey key)
    {
        if (filter.Policies.Count == 0)
        {
            return true;
        }

        if (key.Policies is not { } trace)
        {
            return false;
        }

        return trace.EnforcedPolicies.Concat(trace.PendingPolicies)
            .Any(hit => filter.Policies.Any(match => PolicyMatches(match, hit)));
    }

    private static bool AnyString(Google.Protobuf.Collections.RepeatedField<StringMatch> matches, string[] values)
    {
        if (matches.Count == 0)
        {
            return true;
        }

        foreach (var match in matches)
        {
            foreach (string value in values)
            {
                bool hit = match.Type == MatchType.Exact
                    ? string.Equals(value, match.Value, StringComparison.Ordinal)
                    : value.Contains(match.Value, StringComparison.Ordinal);
                if (hit)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string[] Names(string name) => name switch
    {
        "pub" => ["PUBLIC NETWORK", "pub"],
        "pvt" => ["PRIVATE NETWORK", "pvt"],
        _ => [name],
    };

    private static string[] Namespaces(string ns) => ns == "Global" ? ["-", "Global"] : [ns];
}
