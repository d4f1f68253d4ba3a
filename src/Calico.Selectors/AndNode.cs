using System.Collections.ObjectModel;
using System.Text;

namespace Calico.Selectors;

/// <summary>Two or more operands joined by <c>&&</c>: true when all operands match. Printed in parentheses.</summary>
public sealed class AndNode : SelectorNode
{
    internal AndNode(SelectorNode[] operands) => Operands = new ReadOnlyCollection<SelectorNode>(operands);

    public IReadOnlyList<SelectorNode> Operands { get; }

    internal override void AppendCanonical(StringBuilder sb)
    {
        sb.Append('(');
        for (var i = 0; i < Operands.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(" && ");
            }

            Operands[i].AppendCanonical(sb);
        }

        sb.Append(')');
    }

    internal override SelectorNode WithLabelPrefix(string prefix)
    {
        var operands = new SelectorNode[Operands.Count];
        for (var i = 0; i < operands.Length; i++)
        {
            operands[i] = Operands[i].WithLabelPrefix(prefix);
        }

        return new AndNode(operands);
    }
}
