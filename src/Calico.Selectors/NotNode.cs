using System.Text;

namespace Calico.Selectors;

/// <summary><c>!operand</c>. Runs of <c>!</c> are collapsed by parity while parsing, so operands are never NotNodes.</summary>
public sealed class NotNode : SelectorNode
{
    internal NotNode(SelectorNode operand) => Operand = operand;

    public SelectorNode Operand { get; }

    internal override void AppendCanonical(StringBuilder sb)
    {
        sb.Append('!');
        Operand.AppendCanonical(sb);
    }

    internal override SelectorNode WithLabelPrefix(string prefix) => new NotNode(Operand.WithLabelPrefix(prefix));
}
