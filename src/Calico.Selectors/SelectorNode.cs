using System.Text;

namespace Calico.Selectors;

/// <summary>
/// A node of a parsed selector's expression tree. The tree is immutable and only the parser builds
/// it, so every tree prints back to text that parses to the same tree. Walk it with pattern
/// matching on the sealed subclasses.
/// </summary>
public abstract class SelectorNode
{
    private protected SelectorNode()
    {
    }

    /// <summary>Upstream's canonical text for this sub-expression.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        AppendCanonical(sb);
        return sb.ToString();
    }

    internal abstract void AppendCanonical(StringBuilder sb);

    internal abstract SelectorNode WithLabelPrefix(string prefix);

    /// <summary>Double quotes unless the value holds a double quote (the grammar has no escapes).</summary>
    private protected static void AppendQuoted(StringBuilder sb, string value)
    {
        var quote = value.Contains('"', StringComparison.Ordinal) ? '\'' : '"';
        sb.Append(quote).Append(value).Append(quote);
    }
}
