namespace Calico.Felix.Rules.Planning;

/// <summary>
/// The one place the order of an nftables change is written down: from the table the kernel holds to the next one,
/// as <see cref="NftStep"/>s that both sinks (netlink, <c>nft -f</c>) apply as they are. Every reference resolves
/// when the kernel checks it:
/// <list type="number">
/// <item>sets and maps declared before anything fills or names them;</item>
/// <item>set elements: deletes before adds (in an interval set an added CIDR may cover a leaving member);</item>
/// <item>new chains declared, all of them, before any rule is added (rules of new chains jump to each other);</item>
/// <item>a set whose type or flags changed: the chains naming it are emptied, then it is deleted and declared again;</item>
/// <item>changed chains refilled (flush, then every rule in order): rules are compared only by equality;</item>
/// <item>dispatch-map entries, once the chains they name exist (a changed verdict is delete + add);</item>
/// <item>removed chains emptied, all of them, then deleted (one may jump to another), then removed sets;</item>
/// <item>no previous table, or a base chain's hook changed: a full replacement (the table dropped and declared whole).</item>
/// </list>
/// Pure: no I/O, the same inputs give the same plan.
/// </summary>
public static class NftPlanner
{
    /// <summary>The table every plan acts on (family <c>inet</c>).</summary>
    public const string TableName = NftNames.TableName;

    public static NftPlan Plan(NftTable? previous, NftTable next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (previous is null)
        {
            return FullReplacement(next, "first apply");
        }

        if (BaseChainHeaderChanged(previous, next) is { } changed)
        {
            return FullReplacement(next, $"base chain {changed} changed its hook");
        }

        var steps = new List<NftStep>();
        var redeclared = new List<(NftSet Old, NftSet New)>();
        AddSetsAndUpdateElements(steps, previous, next, redeclared);
        AddNewChains(steps, previous, next);
        var mustRefill = new HashSet<string>(StringComparer.Ordinal);
        RedeclareSets(steps, previous, redeclared, mustRefill);
        RefillChangedChains(steps, previous, next, mustRefill);
        UpdateMapElements(steps, previous, next, redeclared);
        RemoveChains(steps, previous, next);
        RemoveSets(steps, previous, next);
        return new NftPlan(next, isFullReplacement: false, steps, fullReplacementReason: null);
    }

    /// <summary>Everything of <paramref name="next"/> declared in a fresh table, in the same order as a delta.</summary>
    public static NftPlan FullReplacement(NftTable next, string reason)
    {
        ArgumentNullException.ThrowIfNull(next);
        var steps = new List<NftStep>(1 + (2 * (next.Sets.Count + next.Maps.Count)) + (next.Chains.Count * 8))
        {
            new(NftStepKind.ReplaceTable, NftNames.TableName),
        };
        foreach (NftSet set in next.Sets)
        {
            AddSet(steps, set, withElements: true);
        }

        foreach (NftSet map in next.Maps)
        {
            AddSet(steps, map, withElements: false);
        }

        foreach (NftChain chain in next.Chains)
        {
            steps.Add(new NftStep(NftStepKind.AddChain, chain.Name, Chain: chain));
        }

        foreach (NftChain chain in next.Chains)
        {
            AddRules(steps, chain);
        }

        foreach (NftSet map in next.Maps)
        {
            AddElements(steps, NftStepKind.AddElements, map, map.Items);
        }

        return new NftPlan(next, isFullReplacement: true, steps, reason);
    }

    private static string? BaseChainHeaderChanged(NftTable previous, NftTable next)
    {
        foreach (NftChain chain in next.Chains)
        {
            if (previous.ChainsByName.TryGetValue(chain.Name, out NftChain? old) && old.Header != chain.Header)
            {
                return chain.Name;
            }
        }

        return null;
    }

    private static void AddSetsAndUpdateElements(List<NftStep> steps, NftTable previous, NftTable next, List<(NftSet Old, NftSet New)> redeclared)
    {
        foreach (NftSet set in AllSets(next))
        {
            if (!previous.SetsByName.TryGetValue(set.Name, out NftSet? old))
            {
                // A new map's elements name chains that do not exist yet: they come with the other map changes.
                AddSet(steps, set, withElements: !set.IsMap);
            }
            else if (!old.SameDeclaration(set))
            {
                redeclared.Add((old, set));
            }
            else if (!set.IsMap && !ReferenceEquals(old, set))
            {
                var (removed, added) = SortedDifference(old.Items, set.Items);
                AddElements(steps, NftStepKind.DeleteElements, set, removed);
                AddElements(steps, NftStepKind.AddElements, set, added);
            }
        }
    }

    private static void AddNewChains(List<NftStep> steps, NftTable previous, NftTable next)
    {
        foreach (NftChain chain in next.Chains)
        {
            if (!previous.ChainsByName.ContainsKey(chain.Name))
            {
                steps.Add(new NftStep(NftStepKind.AddChain, chain.Name, Chain: chain));
            }
        }
    }

    private static void RedeclareSets(List<NftStep> steps, NftTable previous, List<(NftSet Old, NftSet New)> redeclared, HashSet<string> mustRefill)
    {
        foreach (var (old, _) in redeclared)
        {
            foreach (NftChain chain in previous.Chains)
            {
                if (chain.References(old.Name) && mustRefill.Add(chain.Name))
                {
                    steps.Add(new NftStep(NftStepKind.FlushChain, chain.Name));
                }
            }
        }

        foreach (var (old, set) in redeclared)
        {
            steps.Add(new NftStep(NftStepKind.DeleteSet, old.Name, Set: old));
            // A redeclared map's elements may name new chains: they come with the other map changes.
            AddSet(steps, set, withElements: !set.IsMap);
        }
    }

    private static void RefillChangedChains(List<NftStep> steps, NftTable previous, NftTable next, HashSet<string> mustRefill)
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
                steps.Add(new NftStep(NftStepKind.FlushChain, chain.Name));
            }

            AddRules(steps, chain);
        }
    }

    /// <summary>A map that is going away loses its elements here, so the chains they name can be deleted next.</summary>
    private static void UpdateMapElements(List<NftStep> steps, NftTable previous, NftTable next, List<(NftSet Old, NftSet New)> redeclared)
    {
        foreach (NftSet old in previous.Maps)
        {
            if (IsRedeclared(redeclared, old.Name))
            {
                continue;
            }

            IReadOnlyList<NftElement> wanted = next.SetsByName.TryGetValue(old.Name, out NftSet? map) ? map.Items : [];
            var (removed, added) = SortedDifference(old.Items, wanted);
            AddElements(steps, NftStepKind.DeleteElements, old, removed);
            AddElements(steps, NftStepKind.AddElements, map ?? old, added);
        }

        foreach (NftSet map in next.Maps)
        {
            if (!previous.SetsByName.ContainsKey(map.Name) || IsRedeclared(redeclared, map.Name))
            {
                AddElements(steps, NftStepKind.AddElements, map, map.Items);
            }
        }
    }

    private static void RemoveChains(List<NftStep> steps, NftTable previous, NftTable next)
    {
        foreach (NftChain chain in previous.Chains)
        {
            if (!next.ChainsByName.ContainsKey(chain.Name))
            {
                steps.Add(new NftStep(NftStepKind.FlushChain, chain.Name));
            }
        }

        foreach (NftChain chain in previous.Chains)
        {
            if (!next.ChainsByName.ContainsKey(chain.Name))
            {
                steps.Add(new NftStep(NftStepKind.DeleteChain, chain.Name, Chain: chain));
            }
        }
    }

    private static void RemoveSets(List<NftStep> steps, NftTable previous, NftTable next)
    {
        foreach (NftSet set in AllSets(previous))
        {
            if (!next.SetsByName.ContainsKey(set.Name))
            {
                steps.Add(new NftStep(NftStepKind.DeleteSet, set.Name, Set: set));
            }
        }
    }

    private static void AddSet(List<NftStep> steps, NftSet set, bool withElements)
    {
        steps.Add(new NftStep(NftStepKind.AddSet, set.Name, Set: set));
        if (withElements)
        {
            AddElements(steps, NftStepKind.AddElements, set, set.Items);
        }
    }

    private static void AddRules(List<NftStep> steps, NftChain chain)
    {
        foreach (NftRule rule in chain.Rules)
        {
            steps.Add(new NftStep(NftStepKind.AddRule, chain.Name, Rule: rule));
        }
    }

    private static void AddElements(List<NftStep> steps, NftStepKind kind, NftSet set, IReadOnlyList<NftElement> elements)
    {
        if (elements.Count > 0)
        {
            steps.Add(new NftStep(kind, set.Name, Set: set, Elements: elements));
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

    /// <summary>One merge walk over two lists sorted ordinally by text: what only the old has, what only the new has.</summary>
    private static (List<NftElement> Removed, List<NftElement> Added) SortedDifference(IReadOnlyList<NftElement> old, IReadOnlyList<NftElement> next)
    {
        var removed = new List<NftElement>();
        var added = new List<NftElement>();
        int i = 0;
        int j = 0;
        while (i < old.Count || j < next.Count)
        {
            int order = i == old.Count ? 1 : j == next.Count ? -1 : string.CompareOrdinal(old[i].Text, next[j].Text);
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
