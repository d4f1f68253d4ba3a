using System.Collections.ObjectModel;
using System.Text;

namespace Calico.Selectors;

/// <summary><c>label in {...}</c> or <c>label not in {...}</c>.</summary>
public sealed class LabelSetNode : SelectorNode
{
    private readonly string[] _values;

    /// <param name="values">Already sorted (code point order) and de-duplicated.</param>
    internal LabelSetNode(string label, bool isNotIn, string[] values)
    {
        Label = label;
        IsNotIn = isNotIn;
        _values = values;
        Values = new ReadOnlyCollection<string>(values);
    }

    public string Label { get; }

    /// <summary>True for <c>not in</c>, which is <b>true</b> when the label is absent.</summary>
    public bool IsNotIn { get; }

    /// <summary>The set, sorted in code point (UTF-8 byte) order and de-duplicated, as upstream prints it.</summary>
    public IReadOnlyList<string> Values { get; }

    internal string[] ValueArray => _values;

    internal override void AppendCanonical(StringBuilder sb)
    {
        sb.Append(Label).Append(IsNotIn ? " not in {" : " in {");
        for (var i = 0; i < _values.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            AppendQuoted(sb, _values[i]);
        }

        sb.Append('}');
    }

    internal override SelectorNode WithLabelPrefix(string prefix) => new LabelSetNode(prefix + Label, IsNotIn, _values);
}
