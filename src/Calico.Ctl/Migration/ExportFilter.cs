using Calico.Api;
using Calico.Client;

namespace Calico.Ctl.Migration;

/// <summary>
/// What an export leaves out: the synthesized <c>projectcalico-default-allow</c> profile (never stored), and the Calico
/// objects derived from a Kubernetes object that is exported too (NetworkPolicy <c>knp.default.*</c>, Profile
/// <c>kns.*</c>): importing the Kubernetes object writes them again, as upstream's controllers would.
/// </summary>
internal static class ExportFilter
{
    public static IReadOnlyList<(ResourceKind Kind, IReadOnlyList<Resource> Items)> WithoutDerived(IReadOnlyList<(ResourceKind Kind, IReadOnlyList<Resource> Items)> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var derived = new HashSet<(string Kind, string? Ns, string Name)>();
        foreach (var (_, items) in groups)
        {
            foreach (var r in items)
            {
                Resource? d = r switch
                {
                    KubernetesNetworkPolicy knp => KubernetesConversion.ToCalicoPolicy(knp),
                    KubernetesNamespace ns => KubernetesConversion.ToProfile(ns),
                    _ => null,
                };
                if (d is not null)
                {
                    derived.Add((d.Kind, d.Metadata.Namespace, d.Metadata.Name!));
                }
            }
        }

        return [.. groups.Select(g => (g.Kind, (IReadOnlyList<Resource>)[.. g.Items.Where(r => !IsLeftOut(r, derived))]))];
    }

    private static bool IsLeftOut(Resource r, HashSet<(string Kind, string? Ns, string Name)> derived) =>
        (r is Profile && r.Metadata.Name == ResourceClient.DefaultAllowProfileName)
        || (r is NetworkPolicy or Profile && derived.Contains((r.Kind, r.Metadata.Namespace, r.Metadata.Name!)));
}
