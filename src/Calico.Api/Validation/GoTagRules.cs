namespace Calico.Api;

/// <summary>The generated table of upstream's struct-tag validation, by kind.</summary>
internal static partial class GoTagRules
{
    // Lazy: the table lives in another part of this class, and field initialisers across parts run in no set order.
    private static readonly Lazy<Dictionary<string, GoTagRule[]>> s_byKind = new(() => s_rules
        .GroupBy(r => r.Kind, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal));

    public static IReadOnlyList<GoTagRule> ForKind(string kind) =>
        s_byKind.Value.TryGetValue(kind, out var rules) ? rules : [];
}
