using System.Text;
using System.Text.Json;
using Calico.Felix.Rules.Planning;
using Calico.Nftables;

namespace Calico.Felix.Dataplane.Nftables;

/// <summary>
/// An nftables "kernel" in memory, for tests without root: applies plans step by step with the checks the kernel
/// makes (a set or chain exists before it is filled or named, a chain is empty before it is deleted), all or nothing,
/// and reads back as <c>nft -j list table</c> would. The <c>Tamper…</c> methods change it behind the manager's back,
/// as someone with the <c>nft</c> CLI would.
/// </summary>
public sealed class InMemoryNftablesWriter : INftablesWriter
{
    private readonly object _lock = new();
    private Table? _table;

    /// <summary>Plans applied so far (what the manager sent), for assertions.</summary>
    public List<NftPlan> Applied { get; } = [];

    public Task<NftWriteResult> ApplyAsync(NftPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        lock (_lock)
        {
            Table? working = _table?.Clone();
            foreach (NftStep step in plan.Steps)
            {
                working = Apply(working, step);
            }

            _table = working;
            Applied.Add(plan);
        }

        return Task.FromResult(new NftWriteResult("memory", null, plan.Steps.Count, 0, TimeSpan.Zero));
    }

    public Task<string?> ReadTableJsonAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_table is null ? null : ToJson(_table));
        }
    }

    /// <summary>The rules of <paramref name="chain"/> as held now.</summary>
    public IReadOnlyList<NftRule> RulesOf(string chain)
    {
        lock (_lock)
        {
            return [.. Existing().Chains[chain].Rules];
        }
    }

    /// <summary>Rule <paramref name="index"/> of <paramref name="chain"/> replaced by <paramref name="rule"/> (nft replace rule).</summary>
    public void TamperReplaceRule(string chain, int index, NftRule rule) => Mutate(t => t.Chains[chain].Rules[index] = rule);

    public void TamperDeleteRule(string chain, int index) => Mutate(t => t.Chains[chain].Rules.RemoveAt(index));

    public void TamperInsertRule(string chain, int index, NftRule rule) => Mutate(t => t.Chains[chain].Rules.Insert(index, rule));

    /// <summary>Rules <paramref name="first"/> and <paramref name="second"/> of <paramref name="chain"/> swapped.</summary>
    public void TamperSwapRules(string chain, int first, int second) =>
        Mutate(t => (t.Chains[chain].Rules[first], t.Chains[chain].Rules[second]) = (t.Chains[chain].Rules[second], t.Chains[chain].Rules[first]));

    public void TamperDeleteElement(string set, string element) => Mutate(t => t.Sets[set].Elements.Remove(element));

    public void TamperAddElement(string set, string element) => Mutate(t => t.Sets[set].Elements.Add(element));

    public void TamperDeleteTable() => Mutate(_ => { }, drop: true);

    private void Mutate(Action<Table> change, bool drop = false)
    {
        lock (_lock)
        {
            if (drop)
            {
                _table = null;
                return;
            }

            change(Existing());
        }
    }

    private Table Existing() => _table ?? throw new InvalidOperationException("table inet calico does not exist");

    private static Table Apply(Table? table, NftStep step)
    {
        if (step.Kind == NftStepKind.ReplaceTable)
        {
            return new Table();
        }

        Table t = table ?? throw Refused(step, "no such table");
        switch (step.Kind)
        {
            case NftStepKind.AddSet:
                if (t.Sets.ContainsKey(step.Name))
                {
                    throw Refused(step, "set exists");
                }

                t.Sets[step.Name] = new Set(step.Set!.IsMap, step.Set.Declaration);
                break;
            case NftStepKind.AddElements:
                foreach (NftElement element in step.Elements!)
                {
                    Set set = SetOf(t, step);
                    if (element.Value is { Chain: { } target } && !t.Chains.ContainsKey(target))
                    {
                        throw Refused(step, "element names missing chain " + target);
                    }

                    set.Elements.Add(element.Text);
                }

                break;
            case NftStepKind.DeleteElements:
                foreach (NftElement element in step.Elements!)
                {
                    Set set = SetOf(t, step);
                    // A map's element goes by its key, whatever value the kernel holds for it.
                    string key = element.Key.Text;
                    int removed = set.IsMap ? set.Elements.RemoveWhere(e => e.StartsWith(key + " :", StringComparison.Ordinal)) : set.Elements.Remove(element.Text) ? 1 : 0;
                    if (removed == 0)
                    {
                        throw Refused(step, "no element " + element);
                    }
                }

                break;
            case NftStepKind.AddChain:
                if (!t.Chains.ContainsKey(step.Name))
                {
                    t.Chains[step.Name] = new Chain(step.Chain!.Header);
                    t.ChainOrder.Add(step.Name);
                }

                break;
            case NftStepKind.FlushChain:
                ChainOf(t, step).Rules.Clear();
                break;
            case NftStepKind.AddRule:
                ChainOf(t, step).Rules.Add(step.Rule!);
                foreach (string target in Targets(step.Rule!))
                {
                    if (!t.Chains.ContainsKey(target) && !t.Sets.ContainsKey(target))
                    {
                        throw Refused(step, "rule names missing " + target);
                    }
                }

                break;
            case NftStepKind.DeleteChain:
                if (ChainOf(t, step).Rules.Count > 0)
                {
                    throw Refused(step, "chain not empty");
                }

                t.Chains.Remove(step.Name);
                t.ChainOrder.Remove(step.Name);
                break;
            case NftStepKind.DeleteSet:
                if (!t.Sets.Remove(step.Name))
                {
                    throw Refused(step, "no such set");
                }

                break;
            default:
                throw Refused(step, "unknown step");
        }

        return t;
    }

    /// <summary>Chains (<c>jump x</c>, <c>goto x</c>) and sets or maps (<c>@x</c>) a rule names.</summary>
    private static IEnumerable<string> Targets(NftRule rule)
    {
        foreach (NftStatement statement in rule.Statements)
        {
            switch (statement)
            {
                case NftVerdict { Chain: { } chain }:
                    yield return chain;
                    break;
                case NftMatch { Value: NftSetReference set }:
                    yield return set.Name;
                    break;
                case NftVerdictMap map:
                    yield return map.Map;
                    break;
            }
        }
    }

    private static Set SetOf(Table t, NftStep step) => t.Sets.TryGetValue(step.Name, out Set? set) ? set : throw Refused(step, "no such set");

    private static Chain ChainOf(Table t, NftStep step) => t.Chains.TryGetValue(step.Name, out Chain? chain) ? chain : throw Refused(step, "no such chain");

    private static InvalidOperationException Refused(NftStep step, string why) => new($"{step.Kind} {step.Name}: {why} (plan not applied)");

    /// <summary>Rules carry their comment as <c>"comment"</c>, as nft's JSON does; elements are written as strings.</summary>
    private static string ToJson(Table table)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartArray("nftables");
            // Sorted by name: a table reached by deltas and one applied fresh read back the same.
            foreach (var (name, set) in table.Sets.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteStartObject(set.IsMap ? "map" : "set");
                json.WriteString("name", name);
                json.WriteStartArray("elem");
                foreach (string element in set.Elements)
                {
                    json.WriteStringValue(element);
                }

                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
            }

            foreach (string name in table.ChainOrder.Order(StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteStartObject("chain");
                json.WriteString("name", name);
                json.WriteEndObject();
                json.WriteEndObject();
                foreach (NftRule rule in table.Chains[name].Rules)
                {
                    json.WriteStartObject();
                    json.WriteStartObject("rule");
                    json.WriteString("chain", name);
                    if (rule.Comment is { } comment)
                    {
                        json.WriteString("comment", comment);
                    }

                    json.WriteEndObject();
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class Table
    {
        public Dictionary<string, Set> Sets { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Chain> Chains { get; } = new(StringComparer.Ordinal);

        public List<string> ChainOrder { get; } = [];

        public Table Clone()
        {
            var copy = new Table();
            foreach (var (name, set) in Sets)
            {
                var s = new Set(set.IsMap, set.Declaration);
                s.Elements.UnionWith(set.Elements);
                copy.Sets[name] = s;
            }

            foreach (var (name, chain) in Chains)
            {
                var c = new Chain(chain.Header);
                c.Rules.AddRange(chain.Rules);
                copy.Chains[name] = c;
            }

            copy.ChainOrder.AddRange(ChainOrder);
            return copy;
        }
    }

    private sealed record Set(bool IsMap, IReadOnlyList<string> Declaration)
    {
        public SortedSet<string> Elements { get; } = new(StringComparer.Ordinal);
    }

    private sealed record Chain(NftChainHeader? Header)
    {
        public List<NftRule> Rules { get; } = [];
    }
}
