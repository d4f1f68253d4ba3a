using System.Text;

namespace Calico.Selectors;

/// <summary>
/// <c>global()</c>: true on raw labels. Its meaning ("not namespaced") comes from the selector
/// rewriting the update processors do before evaluation.
/// </summary>
public sealed class GlobalNode : SelectorNode
{
    private GlobalNode()
    {
    }

    public static GlobalNode Instance { get; } = new();

    internal override void AppendCanonical(StringBuilder sb) => sb.Append("global()");

    internal override SelectorNode WithLabelPrefix(string prefix) => this;
}
