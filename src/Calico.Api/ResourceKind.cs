namespace Calico.Api;

/// <summary>What calicoctl knows about a kind: identity, plural, scope, the names a user may type.</summary>
public sealed record ResourceKind(string Kind, string ApiVersion, string Plural, bool Namespaced, IReadOnlyList<string> Aliases, bool ReadOnly)
{
    public string ListKind => Kind + "List";
}
