using System.Text.Json;
using Calico.Felix.Rules;
using Calico.Nftables;

namespace Calico.Node.Dataplane;

/// <summary>
/// How many rules each chain and how many elements each set holds: cheap to compare between what we programmed
/// and what <c>nft -j list table</c> shows, and enough to notice rules, chains or elements removed or added by
/// hand. (A rule edited in place keeps the count; a full comparison would need nft's own normalised text.)
/// </summary>
internal sealed record NftTableCensus(IReadOnlyDictionary<string, int> ChainRules, IReadOnlyDictionary<string, int> SetElements)
{
    public static NftTableCensus Of(NftTable table)
    {
        var chains = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (NftChain chain in table.Chains)
        {
            chains[chain.Name] = chain.Rules.Count;
        }

        var sets = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (NftSet set in table.Sets)
        {
            sets[set.Name] = set.Elements.Count;
        }

        foreach (NftSet map in table.Maps)
        {
            sets[map.Name] = map.Elements.Count;
        }

        return new NftTableCensus(chains, sets);
    }

    /// <summary>Parses <c>nft -j list table inet calico</c>.</summary>
    public static NftTableCensus Parse(string json)
    {
        var chains = new Dictionary<string, int>(StringComparer.Ordinal);
        var sets = new Dictionary<string, int>(StringComparer.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(json);
        foreach (JsonElement item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("chain", out JsonElement chain))
            {
                chains.TryAdd(chain.GetProperty("name").GetString()!, 0);
            }
            else if (item.TryGetProperty("rule", out JsonElement rule))
            {
                string name = rule.GetProperty("chain").GetString()!;
                chains[name] = chains.GetValueOrDefault(name) + 1;
            }
            else if (item.TryGetProperty("set", out JsonElement set) || item.TryGetProperty("map", out set))
            {
                int count = set.TryGetProperty("elem", out JsonElement elems) && elems.ValueKind == JsonValueKind.Array ? elems.GetArrayLength() : 0;
                sets[set.GetProperty("name").GetString()!] = count;
            }
        }

        return new NftTableCensus(chains, sets);
    }

    /// <summary>The first difference, described for the log; null when both agree.</summary>
    public static string? Difference(NftTableCensus expected, NftTableCensus actual)
    {
        foreach (var (chain, rules) in expected.ChainRules)
        {
            if (!actual.ChainRules.TryGetValue(chain, out int found))
            {
                return $"chain {chain} is missing";
            }

            if (found != rules)
            {
                return $"chain {chain} has {found} rules, expected {rules}";
            }
        }

        foreach (string chain in actual.ChainRules.Keys)
        {
            if (!expected.ChainRules.ContainsKey(chain))
            {
                return $"unexpected chain {chain}";
            }
        }

        foreach (var (set, elements) in expected.SetElements)
        {
            if (!actual.SetElements.TryGetValue(set, out int found))
            {
                return $"set {set} is missing";
            }

            if (found != elements)
            {
                return $"set {set} has {found} elements, expected {elements}";
            }
        }

        return null;
    }
}
