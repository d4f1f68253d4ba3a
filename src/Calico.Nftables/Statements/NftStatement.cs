using System.Text;

namespace Calico.Nftables;

/// <summary>One statement of a rule: a match, an action or a verdict.</summary>
public abstract class NftStatement
{
    internal abstract void WriteTo(StringBuilder sb);

    /// <summary>Whether this statement ends the rule (a verdict): nothing but the comment may follow it.</summary>
    public virtual bool IsTerminal => false;

    public override string ToString()
    {
        var sb = new StringBuilder(64);
        WriteTo(sb);
        return sb.ToString();
    }
}
