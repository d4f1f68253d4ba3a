using Calico.Goldmane.Api;

namespace Calico.Goldmane.Store;

public sealed partial class FlowStore
{
    /// <summary>
    /// Flows.FilterHints: the distinct values of one field among the flows matching the filter in the time range,
    /// ordinal ascending, paged. Policy fields come from the enforced and pending traces (profiles skipped; an
    /// EndOfTier hit gives its trigger's value), as upstream.
    /// </summary>
    /// <exception cref="ArgumentException">A bad field, named with its value.</exception>
    public FilterHintsResult FilterHints(FilterHintsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidatePaging(request.Page, request.PageSize);
        Func<FlowKey, IEnumerable<string>> values = request.Type switch
        {
            FilterType.DestName => key => [key.DestName],
            FilterType.SourceName => key => [key.SourceName],
            FilterType.DestNamespace => key => [key.DestNamespace],
            FilterType.SourceNamespace => key => [key.SourceNamespace],
            FilterType.PolicyTier => key => PolicyValues(key, hit => hit.Tier),
            FilterType.PolicyName => key => PolicyValues(key, hit => hit.Name),
            FilterType.PolicyKind => key => PolicyValues(key, hit => hit.Kind.ToString()),
            FilterType.PolicyNamespace => key => PolicyValues(key, hit => hit.Namespace),
            _ => throw new ArgumentException($"type: {request.Type} is not a filter type with hints"),
        };

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        lock (_sync)
        {
            Advance();
            (long gte, long lt) = Range(request.StartTimeGte, request.StartTimeLt);
            foreach (var flow in FlowsIn(gte, lt, request.Filter))
            {
                distinct.UnionWith(values(flow.Key));
            }
        }

        var sorted = distinct.Order(StringComparer.Ordinal).ToList();
        var page = Page(sorted, request.Page, request.PageSize, out var meta);
        var result = new FilterHintsResult { Meta = meta };
        result.Hints.AddRange(page.Select(v => new FilterHint { Value = v }));
        return result;
    }

    private static IEnumerable<string> PolicyValues(FlowKey key, Func<PolicyHit, string> field)
    {
        if (key.Policies is not { } trace)
        {
            yield break;
        }

        foreach (var hit in trace.EnforcedPolicies.Concat(trace.PendingPolicies))
        {
            if (hit.Kind == PolicyKind.Profile)
            {
                continue;
            }

            yield return field(hit.Trigger ?? hit);
        }
    }
}
