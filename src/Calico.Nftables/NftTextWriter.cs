using System.Text;

namespace Calico.Nftables;

/// <summary>The nft text of a table (for <c>nft -f</c>, golden files and logs).</summary>
public static class NftTextWriter
{
    /// <summary>The table re-created whole: <c>table</c>, <c>delete table</c>, then the table's body.</summary>
    public static string FullTransaction(NftTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder(4096);
        sb.Append("table inet ").Append(table.Name).Append('\n');
        sb.Append("delete table inet ").Append(table.Name).Append('\n');
        sb.Append("table inet ").Append(table.Name).Append(" {\n");
        foreach (NftSet set in table.Sets)
        {
            AppendSet(sb, set);
        }

        foreach (NftSet map in table.Maps)
        {
            AppendSet(sb, map);
        }

        foreach (NftChain chain in table.Chains)
        {
            AppendChain(sb, chain);
        }

        if (sb[^1] == '\n' && sb[^2] == '\n')
        {
            sb.Length--;
        }

        sb.Append("}\n");
        return sb.ToString();
    }

    private static void AppendSet(StringBuilder sb, NftSet set)
    {
        AppendNote(sb, set.Note);
        sb.Append('\t').Append(set.Keyword).Append(' ').Append(set.Name).Append(" {\n");
        foreach (string line in set.Declaration)
        {
            sb.Append("\t\t").Append(line).Append('\n');
        }

        if (set.Elements.Count > 0)
        {
            sb.Append("\t\telements = {\n");
            for (int i = 0; i < set.Elements.Count; i++)
            {
                sb.Append("\t\t\t").Append(set.Elements[i]).Append(i + 1 < set.Elements.Count ? ",\n" : "\n");
            }

            sb.Append("\t\t}\n");
        }

        sb.Append("\t}\n\n");
    }

    private static void AppendChain(StringBuilder sb, NftChain chain)
    {
        AppendNote(sb, chain.Note);
        sb.Append("\tchain ").Append(chain.Name).Append(" {\n");
        if (chain.Header is not null)
        {
            sb.Append("\t\t").Append(chain.Header.Text).Append('\n');
        }

        foreach (NftRule rule in chain.Rules)
        {
            sb.Append("\t\t").Append(rule.Text).Append('\n');
        }

        sb.Append("\t}\n\n");
    }

    private static void AppendNote(StringBuilder sb, string? note)
    {
        if (note is not null)
        {
            sb.Append("\t# ").Append(note).Append('\n');
        }
    }
}
