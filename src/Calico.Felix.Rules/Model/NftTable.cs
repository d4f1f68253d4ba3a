using System.Collections.Immutable;
using System.Text;

namespace Calico.Felix.Rules;

/// <summary>
/// An immutable model of <c>table inet calico</c>: sets, maps and chains in rendering order. Render it whole with
/// <see cref="ToFullTransaction"/>, or turn one model into another with <see cref="NftDelta.Between"/>.
/// </summary>
public sealed class NftTable
{
    public NftTable(IEnumerable<NftSet> sets, IEnumerable<NftSet> maps, IEnumerable<NftChain> chains)
    {
        Sets = ImmutableArray.CreateRange(sets);
        Maps = ImmutableArray.CreateRange(maps);
        Chains = ImmutableArray.CreateRange(chains);
        // Sets and maps share one namespace in nft.
        var setsByName = new Dictionary<string, NftSet>(StringComparer.Ordinal);
        AddUnique(setsByName, Sets);
        AddUnique(setsByName, Maps);

        var chainsByName = new Dictionary<string, NftChain>(StringComparer.Ordinal);
        foreach (NftChain chain in Chains)
        {
            if (!chainsByName.TryAdd(chain.Name, chain))
            {
                throw new ArgumentException($"chain {chain.Name} declared twice", nameof(chains));
            }
        }

        SetsByName = setsByName;
        ChainsByName = chainsByName;
    }

    private static void AddUnique(Dictionary<string, NftSet> byName, IReadOnlyList<NftSet> sets)
    {
        foreach (NftSet set in sets)
        {
            if (!byName.TryAdd(set.Name, set))
            {
                throw new ArgumentException($"set or map {set.Name} declared twice", nameof(sets));
            }
        }
    }

    public IReadOnlyList<NftSet> Sets { get; }

    public IReadOnlyList<NftSet> Maps { get; }

    public IReadOnlyList<NftChain> Chains { get; }

    public IReadOnlyDictionary<string, NftSet> SetsByName { get; }

    public IReadOnlyDictionary<string, NftChain> ChainsByName { get; }

    /// <summary>
    /// One <c>nft -f</c> transaction that replaces the table whole: the leading <c>table</c> line makes the delete
    /// succeed on a host without the table, and nft applies the file as one netlink batch.
    /// </summary>
    public string ToFullTransaction()
    {
        var sb = new StringBuilder(4096);
        sb.Append("table inet ").Append(NftNames.TableName).Append('\n');
        sb.Append("delete table inet ").Append(NftNames.TableName).Append('\n');
        sb.Append("table inet ").Append(NftNames.TableName).Append(" {\n");
        foreach (NftSet set in Sets)
        {
            AppendSet(sb, set);
        }

        foreach (NftSet map in Maps)
        {
            AppendSet(sb, map);
        }

        foreach (NftChain chain in Chains)
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
            sb.Append("\t\t").Append(chain.Header).Append('\n');
        }

        foreach (string rule in chain.Rules)
        {
            sb.Append("\t\t").Append(rule).Append('\n');
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
