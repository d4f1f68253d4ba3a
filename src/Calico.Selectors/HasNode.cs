using System.Text;

namespace Calico.Selectors;

/// <summary><c>has(label)</c>: the label is present, whatever its value.</summary>
public sealed class HasNode : SelectorNode
{
    internal HasNode(string label) => Label = label;

    public string Label { get; }

    internal override void AppendCanonical(StringBuilder sb) => sb.Append("has(").Append(Label).Append(')');

    internal override SelectorNode WithLabelPrefix(string prefix) => new HasNode(prefix + Label);
}
