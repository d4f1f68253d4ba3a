using System.Globalization;

namespace Calico.Api;

/// <summary>Limits that keep untrusted input away from crashes: finite numbers, selector depth.</summary>
public static partial class ResourceValidator
{
    /// <summary>
    /// The deepest parenthesis nesting a selector in a resource may have. Below the parser's hard limit
    /// (<see cref="Calico.Selectors.Selector.MaxNesting"/>, 128) because its canonical form can be one level
    /// deeper, and Felix nests policy selectors a few levels further when combining them with namespace and
    /// service-account selectors: a selector that passes here must still parse there.
    /// </summary>
    public const int MaxSelectorNesting = 100;

    private static void CheckBounds(Errors errors, Resource r)
    {
        switch (r)
        {
            case NetworkPolicy np:
                CheckOrder(errors, "NetworkPolicySpec.Order", np.Spec.Order);
                break;
            case GlobalNetworkPolicy gnp:
                CheckOrder(errors, "GlobalNetworkPolicySpec.Order", gnp.Spec.Order);
                break;
            case Tier tier:
                CheckOrder(errors, "TierSpec.Order", tier.Spec.Order);
                break;
        }
    }

    // Upstream's order is a float64 decoded from JSON, which has no NaN or infinity; one built in code could.
    private static void CheckOrder(Errors errors, string field, double? order)
    {
        if (order is { } o && !double.IsFinite(o))
            errors.Add(field, o.ToString(CultureInfo.InvariantCulture), "order must be a finite number");
    }

    /// <summary>A long value is shown as its start, so one bad field cannot flood a terminal or a log.</summary>
    private static string Abbreviate(string value) =>
        value.Length <= 200 ? value : string.Concat(value.AsSpan(0, 200), "... (", value.Length.ToString(CultureInfo.InvariantCulture), " characters)");
}
