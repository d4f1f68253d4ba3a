using System.Text;

namespace Calico.Felix.Rules;

/// <summary>
/// The smallest <c>nft -f</c> transaction that turns one <see cref="NftTable"/> into another. The steps are ordered
/// so every reference resolves when the kernel checks it: sets and chains exist before rules or map elements name
/// them, and nothing is deleted while a rule or element still refers to it (see DESIGN.md).
/// </summary>
public static class NftDelta
{
    private const string Table = "inet " + NftNames.TableName;

    /// <summary>
    /// The transaction from <paramref name="previous"/> (what the kernel holds) to <paramref name="next"/>; "" when
    /// they are equal; the full replacement when <paramref name="previous"/> is null or a base chain's hook changed.
    /// </summary>
    public static string Between(NftTable? previous, NftTable next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (previous is null || BaseChainHeaderChanged(previous, next))
        {
            return next.ToFullTransaction();
        }

        var sb = new StringBuilder();
        var redeclared = new List<(NftSet Old, NftSet New)>();
        AddSetsAndUpdateElements(sb, previous, next, redeclared);
        AddNewChains(sb, previous, next);
        var mustRefill = new HashSet<string>(StringComparer.Ordinal);
        RedeclareSets(sb, previous, redeclared, mustRefill);
        RefillChangedChains(sb, previous, next, mustRefill);
        UpdateMapElements(sb, previous, next, redeclared);
        RemoveChains(sb, previous, next);
        RemoveSets(sb, previous, next);
        return sb.ToString();
    }

    private static bool BaseChainHeaderChanged(NftTable previous, NftTable next)
    {
        foreach (NftChain chain in next.Chains)
        {
            if (previous.ChainsByName.TryGetValue(chain.Name, out NftChain? old) && !Equals(old.Header, chain.Header))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>New sets and maps with their elements; element deletes then adds on plain sets kept as declared.</summary>
    private static void AddSetsAndUpdateElements(StringBuilder sb, NftTable previous, NftTable next, List<(NftSet Old, NftSet New)> redeclared)
    {
        foreach (NftSet set in AllSets(next))
        {
            if (!previous.SetsByName.TryGetValue(set.Name, out NftSet? old))
            {
                // A new map's elements name chains that do not exist yet: they come with the other map changes.
                AppendAddSet(sb, set, withElements: !set.IsMap);
            }
            else if (!old.SameDeclaration(set))
            {
                redeclared.Add((old, set));
            }
            else if (!set.IsMap && !ReferenceEquals(old, set))
            {
                // Deletes first: in an interval set an added CIDR may cover a member that is leaving.
                var (removed, added) = SortedDifference(old.Elements, set.Elements);
                AppendElements(sb, "delete", set.Name, removed);
                AppendElements(sb, "add", set.Name, added);
            }
        }
    }

    private static void AddNewChains(StringBuilder sb, NftTable previous, NftTable next)
    {
        foreach (NftChain chain in next.Chains)
        {
            if (previous.ChainsByName.ContainsKey(chain.Name))
            {
                continue;
            }

            sb.Append("add chain ").Append(Table).Append(' ').Append(chain.Name);
            if (chain.Header is not null)
            {
                sb.Append(" { ").Append(chain.Header).Append(" }");
            }

            sb.Append('\n');
        }
    }

    /// <summary>
    /// A set whose type or flags changed cannot be altered in place: the chains naming it are emptied (they are
    /// refilled next), then it is deleted and declared again with its new elements.
    /// </summary>
    private static void RedeclareSets(StringBuilder sb, NftTable previous, List<(NftSet Old, NftSet New)> redeclared, HashSet<string> mustRefill)
    {
        foreach (var (old, set) in redeclared)
        {
            foreach (NftChain chain in previous.Chains)
            {
                if (chain.References(old.Name) && mustRefill.Add(chain.Name))
                {
                    AppendFlushChain(sb, chain.Name);
                }
            }
        }

        foreach (var (old, set) in redeclared)
        {
            sb.Append("delete ").Append(old.Keyword).Append(' ').Append(Table).Append(' ').Append(old.Name).Append('\n');
            AppendAddSet(sb, set, withElements: true);
        }
    }

    private static void RefillChangedChains(StringBuilder sb, NftTable previous, NftTable next, HashSet<string> mustRefill)
    {
        foreach (NftChain chain in next.Chains)
        {
            bool existed = previous.ChainsByName.TryGetValue(chain.Name, out NftChain? old);
            bool flushed = mustRefill.Contains(chain.Name);
            if (existed && !flushed && old!.SameRules(chain))
            {
                continue;
            }

            if (existed && !flushed)
            {
                AppendFlushChain(sb, chain.Name);
            }

            foreach (NftRule rule in chain.Rules)
            {
                sb.Append("add rule ").Append(Table).Append(' ').Append(chain.Name).Append(' ').Append(rule).Append('\n');
            }
        }
    }

    /// <summary>
    /// Map elements change after the chains they name exist (new maps get theirs here too); a changed value is
    /// delete + add. A map that is going away loses its elements here, so the chains they name can be deleted next.
    /// </summary>
    private static void UpdateMapElements(StringBuilder sb, NftTable previous, NftTable next, List<(NftSet Old, NftSet New)> redeclared)
    {
        foreach (NftSet old in previous.Maps)
        {
            if (IsRedeclared(redeclared, old.Name))
            {
                continue;
            }

            IReadOnlyList<string> wanted = next.SetsByName.TryGetValue(old.Name, out NftSet? map) ? map.Elements : [];
            var (removed, added) = SortedDifference(old.Elements, wanted);
            var removedKeys = new List<string>(removed.Count);
            foreach (string element in removed)
            {
                removedKeys.Add(old.KeyOf(element));
            }

            AppendElements(sb, "delete", old.Name, removedKeys);
            AppendElements(sb, "add", old.Name, added);
        }

        foreach (NftSet map in next.Maps)
        {
            if (!previous.SetsByName.ContainsKey(map.Name))
            {
                AppendElements(sb, "add", map.Name, map.Elements);
            }
        }
    }

    private static void RemoveChains(StringBuilder sb, NftTable previous, NftTable next)
    {
        // All flushed before any is deleted: a removed chain may jump to another removed chain.
        foreach (NftChain chain in previous.Chains)
        {
            if (!next.ChainsByName.ContainsKey(chain.Name))
            {
                AppendFlushChain(sb, chain.Name);
            }
        }

        foreach (NftChain chain in previous.Chains)
        {
            if (!next.ChainsByName.ContainsKey(chain.Name))
            {
                sb.Append("delete chain ").Append(Table).Append(' ').Append(chain.Name).Append('\n');
            }
        }
    }

    private static void RemoveSets(StringBuilder sb, NftTable previous, NftTable next)
    {
        foreach (NftSet set in AllSets(previous))
        {
            if (!next.SetsByName.ContainsKey(set.Name))
            {
                sb.Append("delete ").Append(set.Keyword).Append(' ').Append(Table).Append(' ').Append(set.Name).Append('\n');
            }
        }
    }

    private static bool IsRedeclared(List<(NftSet Old, NftSet New)> redeclared, string name)
    {
        foreach (var (old, _) in redeclared)
        {
            if (string.Equals(old.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static List<NftSet> AllSets(NftTable table)
    {
        var all = new List<NftSet>(table.Sets.Count + table.Maps.Count);
        all.AddRange(table.Sets);
        all.AddRange(table.Maps);
        return all;
    }

    private static void AppendAddSet(StringBuilder sb, NftSet set, bool withElements)
    {
        sb.Append("add ").Append(set.Keyword).Append(' ').Append(Table).Append(' ').Append(set.Name).Append(" { ");
        foreach (string line in set.Declaration)
        {
            sb.Append(line).Append("; ");
        }

        sb.Append("}\n");
        if (withElements)
        {
            AppendElements(sb, "add", set.Name, set.Elements);
        }
    }

    private static void AppendFlushChain(StringBuilder sb, string chain) =>
        sb.Append("flush chain ").Append(Table).Append(' ').Append(chain).Append('\n');

    private static void AppendElements(StringBuilder sb, string verb, string set, IReadOnlyList<string> elements)
    {
        if (elements.Count == 0)
        {
            return;
        }

        sb.Append(verb).Append(" element ").Append(Table).Append(' ').Append(set).Append(" { ");
        for (int i = 0; i < elements.Count; i++)
        {
            sb.Append(elements[i]).Append(i + 1 < elements.Count ? ", " : " ");
        }

        sb.Append("}\n");
    }

    /// <summary>One merge walk over two ordinally sorted lists: what only the old has, what only the new has.</summary>
    private static (List<string> Removed, List<string> Added) SortedDifference(IReadOnlyList<string> old, IReadOnlyList<string> next)
    {
        var removed = new List<string>();
        var added = new List<string>();
        int i = 0;
        int j = 0;
        while (i < old.Count || j < next.Count)
        {
            int order = i == old.Count ? 1 : j == next.Count ? -1 : string.CompareOrdinal(old[i], next[j]);
            if (order < 0)
            {
                removed.Add(old[i++]);
            }
            else if (order > 0)
            {
                added.Add(next[j++]);
            }
            else
            {
                i++;
                j++;
            }
        }

        return (removed, added);
    }
}
