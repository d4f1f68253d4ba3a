using Calico.Api;
using Calico.Selectors;

namespace Calico.Felix.Agent;

/// <summary>
/// Finds a policy selector the calculation graph could not use. The graph treats a policy whose selector does not
/// parse as deleted and drops a rule whose selector does not parse: for a Deny that is an opening. Such a policy
/// (only reachable by writing the datastore directly) is handled as an unreadable value instead: its last good
/// version stays, or a deny-all stands in (<see cref="CorruptValueFilter"/>).
/// </summary>
internal static class PolicySelectorCheck
{
    /// <summary>The first unusable selector of a (Global)NetworkPolicy as "path: reason", or null when all parse.</summary>
    public static string? FirstProblem(Resource resource) => resource switch
    {
        GlobalNetworkPolicy gnp => Check(
            [("spec.selector", gnp.Spec.Selector), ("spec.namespaceSelector", gnp.Spec.NamespaceSelector), ("spec.serviceAccountSelector", gnp.Spec.ServiceAccountSelector)],
            gnp.Spec.Ingress,
            gnp.Spec.Egress),
        NetworkPolicy np => Check(
            [("spec.selector", np.Spec.Selector), ("spec.serviceAccountSelector", np.Spec.ServiceAccountSelector)],
            np.Spec.Ingress,
            np.Spec.Egress),
        _ => null,
    };

    private static string? Check((string Path, string? Text)[] top, List<Rule>? ingress, List<Rule>? egress)
    {
        foreach (var (path, text) in top)
        {
            if (Problem(path, text) is { } problem)
            {
                return problem;
            }
        }

        return CheckRules("spec.ingress", ingress) ?? CheckRules("spec.egress", egress);
    }

    private static string? CheckRules(string prefix, List<Rule>? rules)
    {
        if (rules is null)
        {
            return null;
        }

        for (int i = 0; i < rules.Count; i++)
        {
            string at = prefix + "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
            if ((CheckEntity(at + ".source", rules[i].Source) ?? CheckEntity(at + ".destination", rules[i].Destination)) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? CheckEntity(string at, EntityRule? entity) =>
        entity is null
            ? null
            : Problem(at + ".selector", entity.Selector)
              ?? Problem(at + ".notSelector", entity.NotSelector)
              ?? Problem(at + ".namespaceSelector", entity.NamespaceSelector)
              ?? Problem(at + ".serviceAccounts.selector", entity.ServiceAccounts?.Selector);

    private static string? Problem(string path, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!Selector.TryParse(text, out Selector? selector, out SelectorSyntaxException? error))
        {
            return path + ": " + error.Message;
        }

        // The graph nests policy selectors a few levels further; beyond the resource limit they may not parse there.
        return selector.Nesting > ResourceValidator.MaxSelectorNesting
            ? path + ": selector nested deeper than " + ResourceValidator.MaxSelectorNesting.ToString(System.Globalization.CultureInfo.InvariantCulture) + " levels"
            : null;
    }
}
