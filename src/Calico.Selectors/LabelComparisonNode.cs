using System.Text;

namespace Calico.Selectors;

/// <summary><c>label OP "value"</c> for <c>==</c>, <c>!=</c>, <c>contains</c>, <c>starts with</c>, <c>ends with</c>.</summary>
public sealed class LabelComparisonNode : SelectorNode
{
    internal LabelComparisonNode(string label, ComparisonOperator op, string value)
    {
        Label = label;
        Operator = op;
        Value = value;
    }

    public string Label { get; }

    public ComparisonOperator Operator { get; }

    public string Value { get; }

    internal override void AppendCanonical(StringBuilder sb)
    {
        sb.Append(Label).Append(Operator switch
        {
            ComparisonOperator.Equal => " == ",
            ComparisonOperator.NotEqual => " != ",
            ComparisonOperator.Contains => " contains ",
            ComparisonOperator.StartsWith => " starts with ",
            _ => " ends with ",
        });
        AppendQuoted(sb, Value);
    }

    internal override SelectorNode WithLabelPrefix(string prefix) => new LabelComparisonNode(prefix + Label, Operator, Value);
}
