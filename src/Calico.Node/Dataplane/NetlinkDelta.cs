using Calico.Felix.Rules;
using Calico.Linux.Nft;

namespace Calico.Node.Dataplane;

/// <summary>
/// The delta between the table last applied and the next one as nf_tables netlink steps, when it is made only of
/// what the netlink path encodes: set members, regular chains added, refilled (flush + rules) or removed. Policy and
/// endpoint changes are exactly that, and the <c>nft</c> CLI would spend 30-150 ms re-reading the table before each.
/// A set or map declared, redeclared or removed, a map's elements, a base chain, or a rule the compiler does not know
/// returns null: the caller sends <see cref="NftDelta"/>'s script through <c>nft -f</c> instead.
/// </summary>
internal sealed class NetlinkDelta
{
    private const int MaxCachedRules = 200_000;

    private NetlinkDelta(List<SetElementChange> elements, List<ChainStep> steps)
    {
        Elements = elements;
        Steps = steps;
    }

    /// <summary>Set member changes, deletes first (an added CIDR may cover a member that is leaving).</summary>
    public List<SetElementChange> Elements { get; }

    /// <summary>Chain steps in the order the kernel must see them.</summary>
    public List<ChainStep> Steps { get; }

    public NfTablesTransaction ToTransaction(string table)
    {
        var transaction = new NfTablesTransaction("inet", table);
        if (Elements.Count > 0)
        {
            transaction.ChangeElements(Elements);
        }

        foreach (ChainStep step in Steps)
        {
            switch (step.Kind)
            {
                case ChainStepKind.Add:
                    transaction.AddChain(step.Chain);
                    break;
                case ChainStepKind.Flush:
                    transaction.FlushChain(step.Chain);
                    break;
                case ChainStepKind.Delete:
                    transaction.DeleteChain(step.Chain);
                    break;
                default:
                    transaction.AppendRule(step.Chain, step.Rule!);
                    break;
            }
        }

        return transaction;
    }

    /// <summary>
    /// The netlink delta, or null with the reason when only <c>nft -f</c> can apply it. <paramref name="compiled"/>
    /// caches rules by text; the caller clears it whenever a table goes through <c>nft -f</c> (a set may have been
    /// redeclared, and a lookup compiles differently for an interval set).
    /// </summary>
    public static NetlinkDelta? TryCompute(NftTable previous, NftTable next, Dictionary<string, NftRule> compiled, out string? fallbackReason)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(compiled);
        fallbackReason = MapsDiffer(previous, next) ?? SetDeclarationsDiffer(previous, next);
        if (fallbackReason is not null)
        {
            return null;
        }

        var elements = new List<SetElementChange>();
        var adds = new List<SetElementChange>();
        foreach (NftSet set in next.Sets)
        {
            NftSet old = previous.SetsByName[set.Name];
            if (ReferenceEquals(old, set) || old.Elements.SequenceEqual(set.Elements, StringComparer.Ordinal))
            {
                continue;
            }

            if (ElementOnlyDelta.KindOf(set.Declaration) is not { } kind)
            {
                { fallbackReason = $"set {set.Name} has a declaration the netlink codec does not encode"; return null; }
            }

            ElementOnlyDelta.AddDifferences(set.Name, kind, old.Elements, set.Elements, elements, adds);
        }

        elements.AddRange(adds);

        var steps = new List<ChainStep>();
        var refills = new List<NftChain>();
        foreach (NftChain chain in next.Chains)
        {
            if (!previous.ChainsByName.TryGetValue(chain.Name, out NftChain? old))
            {
                if (chain.Header is not null)
                {
                    { fallbackReason = $"new base chain {chain.Name}"; return null; }
                }

                steps.Add(new ChainStep(ChainStepKind.Add, chain.Name, null));
                refills.Add(chain);
            }
            else if (!string.Equals(old.Header, chain.Header, StringComparison.Ordinal))
            {
                { fallbackReason = $"base chain {chain.Name} changed its hook"; return null; }
            }
            else if (!ReferenceEquals(old, chain) && !old.Rules.SequenceEqual(chain.Rules, StringComparer.Ordinal))
            {
                steps.Add(new ChainStep(ChainStepKind.Flush, chain.Name, null));
                refills.Add(chain);
            }
        }

        // Every new chain exists before any rule is added: rules of new chains may jump to each other.
        foreach (NftChain chain in refills)
        {
            foreach (string text in chain.Rules)
            {
                if (!compiled.TryGetValue(text, out NftRule? rule))
                {
                    if (!NftRule.TryCompile(text, name => IsIntervalSet(next, name), out rule, out string? reason))
                    {
                        { fallbackReason = $"rule of {chain.Name} not compiled ({reason}): {text}"; return null; }
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

        // Chains that go: emptied first (their rules may jump to one another), then deleted once nothing refers to them.
        var removed = previous.Chains.Where(c => !next.ChainsByName.ContainsKey(c.Name)).ToList();
        foreach (NftChain chain in removed)
        {
            if (chain.Header is not null)
            {
                { fallbackReason = $"base chain {chain.Name} removed"; return null; }
            }

            steps.Add(new ChainStep(ChainStepKind.Flush, chain.Name, null));
        }

        foreach (NftChain chain in removed)
        {
            steps.Add(new ChainStep(ChainStepKind.Delete, chain.Name, null));
        }

        return new NetlinkDelta(elements, steps);
    }

    /// <summary>nft compiles a lookup into a concatenated interval set differently; the declaration says which it is.</summary>
    private static bool IsIntervalSet(NftTable table, string name) =>
        table.SetsByName.TryGetValue(name, out NftSet? set) && set.Declaration.Any(line => line.Contains("interval", StringComparison.Ordinal));

    private static string? MapsDiffer(NftTable previous, NftTable next)
    {
        if (previous.Maps.Count != next.Maps.Count)
        {
            return "maps added or removed";
        }

        foreach (NftSet map in next.Maps)
        {
            if (!previous.SetsByName.TryGetValue(map.Name, out NftSet? old) || (!ReferenceEquals(old, map)
                && (!old.IsMap || !old.Declaration.SequenceEqual(map.Declaration, StringComparer.Ordinal) || !old.Elements.SequenceEqual(map.Elements, StringComparer.Ordinal))))
            {
                return $"map {map.Name} changed";
            }
        }

        return null;
    }

    private static string? SetDeclarationsDiffer(NftTable previous, NftTable next)
    {
        if (previous.Sets.Count != next.Sets.Count)
        {
            return "sets added or removed";
        }

        foreach (NftSet set in next.Sets)
        {
            if (!previous.SetsByName.TryGetValue(set.Name, out NftSet? old) || old.IsMap
                || (!ReferenceEquals(old, set) && !old.Declaration.SequenceEqual(set.Declaration, StringComparer.Ordinal)))
            {
                return $"set {set.Name} added or redeclared";
            }
        }

        return null;
    }

    internal enum ChainStepKind
    {
        Add,
        Flush,
        Rule,
        Delete,
    }

    internal sealed record ChainStep(ChainStepKind Kind, string Chain, NftRule? Rule);
}
