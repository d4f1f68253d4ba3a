using Calico.Felix.Rules;
using Calico.Linux.Nft;
using Calico.Nftables;

namespace Calico.Node.Dataplane;

/// <summary>
/// The delta between the table last applied and the next one as nf_tables netlink steps: named sets declared or
/// removed, set members, regular chains added, refilled (flush + rules) or removed, and dispatch-map entries. Policy,
/// label and endpoint changes are exactly that, and the <c>nft</c> CLI would spend 30-150 ms re-reading the table
/// before each. A set redeclared, a set kind the codec does not encode, a map declared or removed, a base chain, or a
/// rule the compiler does not know returns null: the caller sends <see cref="NftDelta"/>'s script through
/// <c>nft -f</c> instead.
/// </summary>
internal sealed class NetlinkDelta
{
    private const int MaxCachedRules = 200_000;

    private NetlinkDelta(List<(string Name, NftSetKind Kind)> newSets, List<SetElementChange> elements, List<ChainStep> steps, List<string> removedSets)
    {
        NewSets = newSets;
        Elements = elements;
        Steps = steps;
        RemovedSets = removedSets;
    }

    /// <summary>Sets to declare, before anything fills or names them.</summary>
    public List<(string Name, NftSetKind Kind)> NewSets { get; }

    /// <summary>Set member changes (new sets' members included), deletes first: an added CIDR may cover a leaving member.</summary>
    public List<SetElementChange> Elements { get; }

    /// <summary>Chain and map steps in the order the kernel must see them.</summary>
    public List<ChainStep> Steps { get; }

    /// <summary>Sets to remove, once no rule names them any more.</summary>
    public List<string> RemovedSets { get; }

    public int Count => NewSets.Count + Elements.Count + Steps.Count + RemovedSets.Count;

    public NfTablesTransaction ToTransaction(string table)
    {
        var transaction = new NfTablesTransaction("inet", table);
        foreach (var (name, kind) in NewSets)
        {
            transaction.AddSet(name, kind);
        }

        if (Elements.Count > 0)
        {
            transaction.ChangeElements(Elements);
        }

        foreach (ChainStep step in Steps)
        {
            switch (step.Kind)
            {
                case ChainStepKind.Add:
                    transaction.AddChain(step.Name);
                    break;
                case ChainStepKind.Flush:
                    transaction.FlushChain(step.Name);
                    break;
                case ChainStepKind.Delete:
                    transaction.DeleteChain(step.Name);
                    break;
                case ChainStepKind.MapElements:
                    transaction.ChangeMapElements(step.Name, step.MapChanges!);
                    break;
                default:
                    transaction.AppendRule(step.Name, step.Rule!);
                    break;
            }
        }

        foreach (string name in RemovedSets)
        {
            transaction.DeleteSet(name);
        }

        return transaction;
    }

    /// <summary>
    /// The netlink delta, or null with the reason when only <c>nft -f</c> can apply it. <paramref name="compiled"/>
    /// caches rules by text; the caller clears it whenever a table goes through <c>nft -f</c> (a set may have been
    /// redeclared, and a lookup compiles differently for an interval set).
    /// </summary>
    public static NetlinkDelta? TryCompute(NftTable previous, NftTable next, Dictionary<string, NfTablesRule> compiled, out string? fallbackReason)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(compiled);
        var newSets = new List<(string, NftSetKind)>();
        var elements = new List<SetElementChange>();
        var steps = new List<ChainStep>();
        var removedSets = new List<string>();
        fallbackReason = PlanSets(previous, next, newSets, elements, removedSets)
            ?? PlanChains(previous, next, compiled, steps)
            ?? PlanMaps(previous, next, steps);
        if (fallbackReason is not null)
        {
            return null;
        }

        // Chains that go: emptied first (their rules may jump to one another), then deleted once nothing (rules, map
        // entries, updated above) refers to them.
        var removed = previous.Chains.Where(c => !next.ChainsByName.ContainsKey(c.Name)).ToList();
        foreach (NftChain chain in removed)
        {
            if (chain.Header is not null)
            {
                fallbackReason = $"base chain {chain.Name} removed";
                return null;
            }

            steps.Add(new ChainStep(ChainStepKind.Flush, chain.Name, null));
        }

        foreach (NftChain chain in removed)
        {
            steps.Add(new ChainStep(ChainStepKind.Delete, chain.Name, null));
        }

        return new NetlinkDelta(newSets, elements, steps, removedSets);
    }

    private static string? PlanSets(NftTable previous, NftTable next, List<(string, NftSetKind)> newSets, List<SetElementChange> elements, List<string> removedSets)
    {
        var adds = new List<SetElementChange>();
        foreach (NftSet set in next.Sets)
        {
            previous.SetsByName.TryGetValue(set.Name, out NftSet? old);
            if (old is not null && (old.IsMap || !old.Declaration.SequenceEqual(set.Declaration, StringComparer.Ordinal)))
            {
                return $"set {set.Name} redeclared";
            }

            if (ReferenceEquals(old, set) || (old is not null && old.Elements.SequenceEqual(set.Elements, StringComparer.Ordinal)))
            {
                continue;
            }

            if (ElementOnlyDelta.KindOf(set.Declaration) is not { } kind)
            {
                return $"set {set.Name} has a declaration the netlink codec does not encode";
            }

            if (old is null)
            {
                newSets.Add((set.Name, kind));
            }

            ElementOnlyDelta.AddDifferences(set.Name, kind, old?.Elements ?? [], set.Elements, elements, adds);
        }

        elements.AddRange(adds);
        foreach (NftSet set in previous.Sets)
        {
            if (!next.SetsByName.ContainsKey(set.Name))
            {
                removedSets.Add(set.Name);
            }
        }

        return null;
    }

    private static string? PlanChains(NftTable previous, NftTable next, Dictionary<string, NfTablesRule> compiled, List<ChainStep> steps)
    {
        var refills = new List<NftChain>();
        foreach (NftChain chain in next.Chains)
        {
            if (!previous.ChainsByName.TryGetValue(chain.Name, out NftChain? old))
            {
                if (chain.Header is not null)
                {
                    return $"new base chain {chain.Name}";
                }

                steps.Add(new ChainStep(ChainStepKind.Add, chain.Name, null));
                refills.Add(chain);
            }
            else if (!Equals(old.Header, chain.Header))
            {
                return $"base chain {chain.Name} changed its hook";
            }
            else if (!ReferenceEquals(old, chain) && !old.Rules.SequenceEqual(chain.Rules))
            {
                steps.Add(new ChainStep(ChainStepKind.Flush, chain.Name, null));
                refills.Add(chain);
            }
        }

        // Every new chain exists before any rule is added: rules of new chains may jump to each other.
        foreach (NftChain chain in refills)
        {
            foreach (NftRule typed in chain.Rules)
            {
                string text = typed.Text;
                if (!compiled.TryGetValue(text, out NfTablesRule? rule))
                {
                    if (!NfTablesRule.TryEncode(typed, name => IsIntervalSet(next, name), out rule, out string? reason))
                    {
                        return $"rule of {chain.Name} not compiled ({reason}): {text}";
                    }

                    if (compiled.Count >= MaxCachedRules)
                    {
                        compiled.Clear();
                    }

                    compiled[text] = rule!;
                }

                steps.Add(new ChainStep(ChainStepKind.Rule, chain.Name, rule));
            }
        }

        return null;
    }

    /// <summary>Dispatch-map entries (<c>"cali1234" : goto cali-tw-cali1234</c>) that changed, by interface name.</summary>
    private static string? PlanMaps(NftTable previous, NftTable next, List<ChainStep> steps)
    {
        if (previous.Maps.Count != next.Maps.Count)
        {
            return "maps added or removed";
        }

        foreach (NftSet map in next.Maps)
        {
            if (!previous.SetsByName.TryGetValue(map.Name, out NftSet? old) || !old.IsMap || !old.Declaration.SequenceEqual(map.Declaration, StringComparer.Ordinal))
            {
                return $"map {map.Name} added or redeclared";
            }

            if (ReferenceEquals(old, map) || old.Elements.SequenceEqual(map.Elements, StringComparer.Ordinal))
            {
                continue;
            }

            if (!map.Declaration.All(line => line.Replace(";", "", StringComparison.Ordinal).Trim() == "type ifname : verdict"))
            {
                return $"map {map.Name} is not an ifname : verdict map";
            }

            Dictionary<string, string>? before = VerdictsByKey(old.Elements);
            Dictionary<string, string>? after = VerdictsByKey(map.Elements);
            if (before is null || after is null)
            {
                return $"map {map.Name} has an element the netlink path does not parse";
            }

            var changes = new List<MapElementChange>();
            foreach (var (key, verdict) in before)
            {
                if (!after.TryGetValue(key, out string? now) || now != verdict)
                {
                    changes.Add(new MapElementChange(Add: false, key, null));
                }
            }

            foreach (var (key, verdict) in after)
            {
                if (!before.TryGetValue(key, out string? was) || was != verdict)
                {
                    changes.Add(new MapElementChange(Add: true, key, verdict));
                }
            }

            steps.Add(new ChainStep(ChainStepKind.MapElements, map.Name, null) { MapChanges = changes });
        }

        return null;
    }

    /// <summary><c>"key" : verdict</c> elements by key; null when one is not of that form.</summary>
    private static Dictionary<string, string>? VerdictsByKey(IReadOnlyList<string> elements)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string element in elements)
        {
            int close = element.Length > 1 && element[0] == '"' ? element.IndexOf('"', 1) : -1;
            if (close < 0 || !element.AsSpan(close + 1).TrimStart().StartsWith(": ", StringComparison.Ordinal))
            {
                return null;
            }

            string key = element[1..close];
            string verdict = element[(element.IndexOf(':', close) + 1)..].Trim();
            if (!result.TryAdd(key, verdict))
            {
                return null;
            }
        }

        return result;
    }

    /// <summary>nft compiles a lookup into a concatenated interval set differently; the declaration says which it is.</summary>
    private static bool IsIntervalSet(NftTable table, string name) =>
        table.SetsByName.TryGetValue(name, out NftSet? set) && set.Declaration.Any(line => line.Contains("interval", StringComparison.Ordinal));

    internal enum ChainStepKind
    {
        Add,
        Flush,
        Rule,
        MapElements,
        Delete,
    }

    /// <summary>One step on a chain (or, for <see cref="ChainStepKind.MapElements"/>, on the map <paramref name="Name"/>).</summary>
    internal sealed record ChainStep(ChainStepKind Kind, string Name, NfTablesRule? Rule)
    {
        public IReadOnlyList<MapElementChange>? MapChanges { get; init; }
    }
}
