using System.Text;

namespace Calico.Selectors;

/// <summary><c>all()</c>, and the empty selector: matches everything.</summary>
public sealed class AllNode : SelectorNode
{
    private AllNode()
    {
    }

    public static AllNode Instance { get; } = new();

    internal override void AppendCanonical(StringBuilder sb) => sb.Append("all()");

    internal override SelectorNode WithLabelPrefix(string prefix) => this;
}
