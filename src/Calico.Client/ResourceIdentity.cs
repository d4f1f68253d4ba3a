using Calico.Api;
using Calico.Datastore;

namespace Calico.Client;

/// <summary>Where a resource lives in the store, and how upstream names it in messages.</summary>
public static class ResourceIdentity
{
    /// <summary>
    /// Kubernetes kinds have no API server here: their objects are kept under the same root, in their own
    /// API group folder, beside the Calico objects converted from them (which are what every agent reads).
    /// </summary>
    private const string Root = "/calico/resources/v3/";

    public static bool IsCalicoKind(ResourceKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind.ApiVersion == "projectcalico.org/v3";
    }

    public static string Key(ResourceKind kind, string? ns, string name)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (IsCalicoKind(kind))
        {
            return ResourceKeys.ForResource(kind.Plural, kind.Namespaced ? ns : null, name);
        }

        return Prefix(kind, kind.Namespaced ? ns : null) + Escape(name);
    }

    /// <summary>The list prefix for a kind, in one namespace or (null) all of them.</summary>
    public static string Prefix(ResourceKind kind, string? ns)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (IsCalicoKind(kind))
        {
            return ResourceKeys.Prefix(kind.Plural, kind.Namespaced ? ns : null);
        }

        var slash = kind.ApiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? "core" : kind.ApiVersion[..slash];
        var prefix = Root + group + "/" + kind.Plural + "/";
        return kind.Namespaced && !string.IsNullOrEmpty(ns) ? prefix + Escape(ns) + "/" : prefix;
    }

    /// <summary>Upstream's identifier in messages: <c>IPPool(name)</c> or <c>NetworkPolicy(ns/name)</c>.</summary>
    public static string Describe(ResourceKind kind, string? ns, string name)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind.Namespaced ? $"{kind.Kind}({ns}/{name})" : $"{kind.Kind}({name})";
    }

    public static string Describe(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return Describe(ResourceKinds.Of(resource), resource.Metadata.Namespace, resource.Metadata.Name ?? "");
    }

    private static string Escape(string segment) => segment.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2f", StringComparison.Ordinal);
}
